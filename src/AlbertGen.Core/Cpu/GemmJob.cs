using AlbertGen.Config;
using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>
/// C = act(A · Bᵀ + bias [+ residual]) split into (row block × panel chunk) tasks. Row blocks are sized so one
/// block of A (≤ <see cref="MaxRowBlock"/> × KC floats) stays in L2 while it streams past the B panels of its chunk;
/// the activation runs on each finished tile while it is still in cache.
/// </summary>
internal sealed unsafe class GemmJob : IParallelJob
{
    public const int MaxRowBlock = 192;

    float* _a, _c, _bias, _residual;
    int _lda, _m, _ldc, _ldr;
    PackedMatrix? _b;
    ActivationKind _activation;
    int _rowBlock, _panelChunk, _panelChunks;

    /// <summary>Runs the GEMM on <paramref name="runner"/>. Pointers must stay valid (pinned) for the call.</summary>
    public void Run(ParallelRunner runner, float* a, int lda, int m, PackedMatrix b, float* c, int ldc,
        float* bias, float* residual = null, int ldr = 0, ActivationKind activation = ActivationKind.Linear)
    {
        if (m <= 0) return;
        _a = a; _lda = lda; _m = m; _b = b; _c = c; _ldc = ldc; _bias = bias; _residual = residual; _ldr = ldr;
        _activation = activation;
        int rowBlocks = (m + MaxRowBlock - 1) / MaxRowBlock;
        _rowBlock = (m + rowBlocks - 1) / rowBlocks;
        _rowBlock = (_rowBlock + Gemm.MR - 1) / Gemm.MR * Gemm.MR;
        rowBlocks = (m + _rowBlock - 1) / _rowBlock;
        int panels = b.Panels;
        int wanted = Math.Max(1, (4 * runner.Threads + rowBlocks - 1) / rowBlocks);
        // tiny problems are not worth a thread hand-off
        if ((long)m * b.N * b.K < 64 * 1024) wanted = 1;
        _panelChunks = Math.Min(panels, wanted);
        _panelChunk = (panels + _panelChunks - 1) / _panelChunks;
        _panelChunks = (panels + _panelChunk - 1) / _panelChunk;
        runner.For(rowBlocks * _panelChunks, this);
        _b = null;
    }

    public void Execute(int index, int worker)
    {
        int rb = index / _panelChunks, pc = index % _panelChunks;
        int r0 = rb * _rowBlock, rows = Math.Min(_rowBlock, _m - r0);
        var b = _b!;
        int p0 = pc * _panelChunk, p1 = Math.Min(b.Panels, p0 + _panelChunk);
        fixed (float* pb = b.Data)
        {
            Gemm.Run(_a + (long)r0 * _lda, _lda, rows, pb, b.N, b.K, _c + (long)r0 * _ldc, _ldc, p0, p1,
                _bias, _residual == null ? null : _residual + (long)r0 * _ldr, _ldr);
        }
        if (_activation != ActivationKind.Linear)
        {
            int c0 = p0 * Gemm.NR, c1 = Math.Min(b.N, p1 * Gemm.NR);
            for (int r = r0; r < r0 + rows; r++)
                ActivationKernels.Apply(_activation, new Span<float>(_c + (long)r * _ldc + c0, c1 - c0));
        }
    }
}
