using System.Runtime.Intrinsics;
using AlbertGen.Kernels;

namespace AlbertGen.Tests;

/// <summary>
/// The Vector128 kernel family (ARM64, x64 without AVX2; decision D29) called directly, so that it is tested on every
/// machine: both forms of the GEMM micro-kernel (one 6 × 16 pass for ARM64's 32 registers, two 6 × 8 passes for x64's
/// 16) against a double-precision product, and the Vector128 exp and erf against double. Whole-kernel and golden tests
/// run on this family when scripts/test.sh repeats them with <c>DOTNET_EnableAVX2=0</c>.
/// </summary>
public class Vector128KernelTests
{
    public static TheoryData<int, int, bool> TileShapes()
    {
        var d = new TheoryData<int, int, bool>();
        foreach (int rows in new[] { 1, 2, 3, 4, 5, 6 })
            foreach (int kc in new[] { 1, 7, 256 })
                foreach (bool wide in new[] { false, true })
                    d.Add(rows, kc, wide);
        return d;
    }

    [Theory]
    [MemberData(nameof(TileShapes))]
    public unsafe void Gemm_kernel128_matches_a_double_product(int rows, int kc, bool wide)
    {
        const int ldc = 21, ldr = 19;
        var rng = new Random(rows * 1000 + kc * 2 + (wide ? 1 : 0));
        var a = KernelTests.Random(rng, rows * kc);
        var w = KernelTests.Random(rng, Gemm.NR * kc); // 16 output columns, one panel
        var bias = KernelTests.Random(rng, Gemm.NR);
        var residual = KernelTests.Random(rng, Gemm.MR * ldr);
        var start = KernelTests.Random(rng, Gemm.MR * ldc);
        var packedB = PackedMatrix.FromLinearWeight(w, Gemm.NR, kc);
        var packedA = new float[Gemm.PackedALength(rows, kc)];
        foreach (var (load, useBias, useResidual) in new[] { (false, false, false), (true, false, false), (false, true, true), (true, true, true) })
        {
            var c = (float[])start.Clone();
            fixed (float* pa = a)
            fixed (float* ppa = packedA)
            fixed (float* pb = packedB.Data)
            fixed (float* pc = c)
            fixed (float* pbias = bias)
            fixed (float* pres = residual)
            {
                Gemm.PackRows(pa, kc, rows, kc, ppa, 0, rows);
                Gemm.Accumulate128(rows, ppa, pb, kc, pc, ldc, load, pb, useBias ? pbias : null, useResidual ? pres : null, ldr, wide);
            }
            for (int i = 0; i < Gemm.MR; i++)
            {
                for (int j = 0; j < ldc; j++)
                {
                    if (i >= rows || j >= Gemm.NR)
                    {
                        Assert.Equal(start[i * ldc + j], c[i * ldc + j]); // outside the tile: untouched
                        continue;
                    }
                    double s = load ? start[i * ldc + j] : 0;
                    for (int k = 0; k < kc; k++) s += (double)a[i * kc + k] * w[j * kc + k];
                    if (useBias) s += bias[j];
                    if (useResidual) s += residual[i * ldr + j];
                    double tol = 1e-6 * Math.Sqrt(kc) * 4 + 1e-6 * Math.Abs(s);
                    Assert.True(Math.Abs(c[i * ldc + j] - s) <= tol, $"rows={rows} kc={kc} wide={wide} load={load} [{i},{j}]: {c[i * ldc + j]} vs {s}");
                }
            }
        }
    }

    [Fact]
    public void VectorExp128_is_within_2_ulp_of_double_exp_zero_below_the_normal_range_and_finite_above()
    {
        var rng = new Random(6);
        var xs = Enumerable.Range(0, 20000).Select(_ => (float)(rng.NextDouble() * 174 - 87))
            .Concat([0f, -0f, 1e-30f, 0.34657359f, -0.34657359f, 88f, -87.3f, 1f, -1f, 2f, 3f]).ToArray();
        for (int i = 0; i + 4 <= xs.Length; i += 4)
        {
            var y = VectorExp.Exp(Vector128.Create(xs.AsSpan(i, 4)));
            for (int j = 0; j < 4; j++)
            {
                double e = Math.Exp(xs[i + j]);
                Assert.True(Math.Abs(y[j] - e) <= 2.4e-7 * e, $"exp({xs[i + j]}) = {y[j]} vs {e}");
            }
        }
        Assert.Equal(Vector128<float>.Zero, VectorExp.Exp(Vector128.Create(-1e30f, -1000f, -88f, float.NegativeInfinity)));
        var big = VectorExp.Exp(Vector128.Create(89f, 1000f, float.MaxValue, float.PositiveInfinity));
        for (int j = 0; j < 4; j++)
            Assert.Equal((float)Math.Exp(88), big[j], 1e32f); // saturates, finite
    }

    [Fact]
    public void Erf128_matches_double()
    {
        var xs = Enumerable.Range(-400, 801).Select(i => i / 80f).ToArray(); // −5 … 5
        for (int i = 0; i + 4 <= xs.Length; i += 4)
        {
            var y = Erf.Vector(Vector128.Create(xs.AsSpan(i, 4)));
            for (int j = 0; j < 4; j++)
                Assert.True(Math.Abs(y[j] - Erf.Double(xs[i + j])) <= 3e-7, $"erf({xs[i + j]}) = {y[j]} vs {Erf.Double(xs[i + j])}");
        }
    }

    /// <summary>scripts/test.sh runs the kernel and golden tests again with AVX2 disabled: that run must be on Vector128.</summary>
    [Avx2DisabledFact]
    public void With_AVX2_disabled_Vector128_is_accelerated_and_Vector256_is_not()
    {
        Assert.True(Vector128.IsHardwareAccelerated);
        Assert.False(Vector256.IsHardwareAccelerated);
        Assert.False(Vector512.IsHardwareAccelerated);
    }
}
