using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace AlbertGen.Bench;

/// <summary>
/// The machine's single-thread Vector256 FMA peak, measured in the same run as the GEMM: 12 independent accumulators,
/// no memory traffic. GFLOP/s = Iterations × 12 FMAs × 16 flops / time. GEMM efficiency is judged against this.
/// </summary>
public class PeakBenchmarks
{
    public const long Iterations = 10_000_000;

    [Benchmark]
    public float FmaPeak12Accumulators() => Peak(Iterations);

    /// <summary>The same with Vector512 (AVX-512 machines; elsewhere it measures the JIT's 2 × 256-bit emulation).
    /// GFLOP/s = Iterations × 12 × 32 / time. On Zen 4, 512-bit FMAs are double-pumped: same flop rate as 256-bit.</summary>
    [Benchmark]
    public float FmaPeak512With12Accumulators() => Peak512(Iterations);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static float Peak512(long n)
    {
        var x = Vector512.Create(1.0000001f);
        var y = Vector512.Create(0.999999f);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < n; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(x, y, c0); c1 = Vector512.FusedMultiplyAdd(x, y, c1);
            c2 = Vector512.FusedMultiplyAdd(x, y, c2); c3 = Vector512.FusedMultiplyAdd(x, y, c3);
            c4 = Vector512.FusedMultiplyAdd(x, y, c4); c5 = Vector512.FusedMultiplyAdd(x, y, c5);
            c6 = Vector512.FusedMultiplyAdd(x, y, c6); c7 = Vector512.FusedMultiplyAdd(x, y, c7);
            c8 = Vector512.FusedMultiplyAdd(x, y, c8); c9 = Vector512.FusedMultiplyAdd(x, y, c9);
            c10 = Vector512.FusedMultiplyAdd(x, y, c10); c11 = Vector512.FusedMultiplyAdd(x, y, c11);
        }
        return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).GetElement(0);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static float Peak(long n)
    {
        var x = Vector256.Create(1.0000001f);
        var y = Vector256.Create(0.999999f);
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector256<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < n; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(x, y, c0); c1 = Vector256.FusedMultiplyAdd(x, y, c1);
            c2 = Vector256.FusedMultiplyAdd(x, y, c2); c3 = Vector256.FusedMultiplyAdd(x, y, c3);
            c4 = Vector256.FusedMultiplyAdd(x, y, c4); c5 = Vector256.FusedMultiplyAdd(x, y, c5);
            c6 = Vector256.FusedMultiplyAdd(x, y, c6); c7 = Vector256.FusedMultiplyAdd(x, y, c7);
            c8 = Vector256.FusedMultiplyAdd(x, y, c8); c9 = Vector256.FusedMultiplyAdd(x, y, c9);
            c10 = Vector256.FusedMultiplyAdd(x, y, c10); c11 = Vector256.FusedMultiplyAdd(x, y, c11);
        }
        return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).GetElement(0);
    }
}
