using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>Row-wise LayerNorm of an m × n matrix (dst may alias src), split into row chunks.</summary>
internal sealed unsafe class LayerNormJob : IParallelJob
{
    float* _src, _dst, _weight, _bias;
    int _m, _n, _chunk;
    float _eps;

    public void Run(ParallelRunner runner, float* src, float* dst, int m, int n, float* weight, float* bias, float eps)
    {
        _src = src; _dst = dst; _m = m; _n = n; _weight = weight; _bias = bias; _eps = eps;
        int tasks = m * n < 16 * 1024 ? 1 : Math.Min(m, 4 * runner.Threads);
        _chunk = (m + tasks - 1) / tasks;
        runner.For((m + _chunk - 1) / _chunk, this);
    }

    public void Execute(int index, int worker)
    {
        int r0 = index * _chunk, r1 = Math.Min(_m, r0 + _chunk);
        var w = new ReadOnlySpan<float>(_weight, _n);
        var b = new ReadOnlySpan<float>(_bias, _n);
        for (int r = r0; r < r1; r++)
            NormKernels.LayerNorm(new ReadOnlySpan<float>(_src + (long)r * _n, _n), new Span<float>(_dst + (long)r * _n, _n), w, b, _eps);
    }
}
