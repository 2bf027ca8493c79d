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
    public unsafe void Gemm_kernel128_matches_a_double_product(int rows, int kc, bool wide) =>
        MicroKernelCheck.MatchesDoubleProduct(rows, kc, ldc: 21, ldr: 19, new Random(rows * 1000 + kc * 2 + (wide ? 1 : 0)), $" wide={wide}",
            [(false, false, false), (true, false, false), (false, true, true), (true, true, true)],
            (r, pa, pb, k, c, ldc, load, bias, res, ldr) => Gemm.Accumulate128(r, pa, pb, k, c, ldc, load, pb, bias, res, ldr, wide));

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
        var xs = ErfProbe.Points();
        for (int i = 0; i + 4 <= xs.Length; i += 4)
        {
            var y = Erf.Vector(Vector128.Create(xs.AsSpan(i, 4)));
            for (int j = 0; j < 4; j++)
                Assert.True(Math.Abs(y[j] - Erf.Double(xs[i + j])) <= ErfProbe.Bound, $"erf({xs[i + j]}) = {y[j]} vs {Erf.Double(xs[i + j])}");
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
