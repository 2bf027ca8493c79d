using BenchmarkDotNet.Attributes;
using AlbertGen.Kernels;

namespace AlbertGen.Bench;

/// <summary>
/// The int8 GEMM (D39: per-row 7-bit activation quantization included) against the float packed GEMM on the encoder's
/// shapes, single-threaded, same run. The int8 kernel is the best this CPU has (<c>GemmInt8.Best</c>: AVX-VNNI → AVX2
/// → SSSE3 → ARM64 sdot → scalar); ratio = int8 time / float time.
/// </summary>
public class GemmInt8Benchmarks
{
    [Params(16, 128)]
    public int M { get; set; }

    [Params("768x2304", "768x3072", "3072x768")]
    public string KxN { get; set; } = "768x2304";

    /// <summary>8: weights in [−127, 127] (the one-quad AVX2 kernel); 7: the reduced range [−64, 64] (the pair kernel, D41).</summary>
    [Params(8, 7)]
    public int WeightBits { get; set; } = 8;

    float[] _a = [], _c = [];
    PackedMatrix? _float;
    QuantizedMatrix? _int8;

    [GlobalSetup]
    public void Setup()
    {
        var parts = KxN.Split('x');
        int k = int.Parse(parts[0]), n = int.Parse(parts[1]);
        var rng = new Random(1);
        _a = Enumerable.Range(0, M * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var w = Enumerable.Range(0, n * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        _float = PackedMatrix.FromLinearWeight(w, n, k);
        var (q, scales) = QuantizedMatrix.Quantize(w, n, k, WeightBits == 7 ? QuantizedMatrix.ReducedQMax : QuantizedMatrix.QMax);
        _int8 = QuantizedMatrix.FromInt8(q, scales, n, k);
        _c = new float[M * n];
    }

    [Benchmark(Baseline = true)]
    public void Float() => Gemm.Run(_a, M, _float!, _c);

    [Benchmark]
    public void Int8() => GemmInt8.Run(_a, M, _int8!, _c);
}
