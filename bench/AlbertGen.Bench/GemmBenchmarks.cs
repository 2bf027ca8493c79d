using BenchmarkDotNet.Attributes;
using AlbertGen.Kernels;

namespace AlbertGen.Bench;

/// <summary>
/// The packed GEMM on the encoder's shapes (M = 128: a 128-token input; M = 16: a short one), single-threaded (one
/// core; the whole-model benchmark uses both); the AVX-512 kernels where Vector512 is accelerated, else Vector256.
/// GFLOP/s = 2·M·N·K / time; compare with <see cref="PeakBenchmarks"/> from the same run.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    [Params(16, 128)]
    public int M { get; set; }

    [Params("768x768", "768x3072", "3072x768")]
    public string KxN { get; set; } = "768x768";

    float[] _a = [], _c = [];
    PackedMatrix? _b;
    float[] _w = [];
    int _k, _n;

    [GlobalSetup]
    public void Setup()
    {
        var parts = KxN.Split('x');
        _k = int.Parse(parts[0]);
        _n = int.Parse(parts[1]);
        var rng = new Random(1);
        _a = Enumerable.Range(0, M * _k).Select(_ => (float)rng.NextDouble()).ToArray();
        _w = Enumerable.Range(0, _n * _k).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = PackedMatrix.FromLinearWeight(_w, _n, _k);
        _c = new float[M * _n];
    }

    [Benchmark]
    public void PackedGemm() => Gemm.Run(_a, M, _b!, _c);

    /// <summary>The TensorPrimitives way (a dot product per output): the baseline a straightforward port would use.</summary>
    [Benchmark(Baseline = true)]
    public void DotPerOutput()
    {
        var a = _a.AsSpan();
        var w = _w.AsSpan();
        for (int i = 0; i < M; i++)
        {
            var row = a.Slice(i * _k, _k);
            for (int j = 0; j < _n; j++)
                _c[i * _n + j] = System.Numerics.Tensors.TensorPrimitives.Dot(row, w.Slice(j * _k, _k));
        }
    }
}
