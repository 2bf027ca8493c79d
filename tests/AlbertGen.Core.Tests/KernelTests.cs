using AlbertGen.Config;
using System.Runtime.Intrinsics;
using AlbertGen.Kernels;

namespace AlbertGen.Tests;

/// <summary>Every optimised kernel against its naive twin, over shapes that are and are not multiples of the vector width and the 6 × 16 tile.</summary>
public class KernelTests
{
    internal static float[] Random(Random rng, int n, float scale = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return a;
    }

    public static TheoryData<int, int, int> GemmShapes()
    {
        var shapes = new SortedSet<(int M, int N, int K)>();
        foreach (int m in new[] { 1, 2, 5, 6, 7, 13, 31 })
            foreach (int n in new[] { 1, 3, 15, 16, 17, 33, 48, 50, 64 }) // 48, 64: whole panel pairs (the AVX-512 wide kernel) with and without a lone panel (the tall kernel)
                foreach (int k in new[] { 1, 7, 255, 256, 257, 600 })
                    shapes.Add((m, n, k));
        // past Gemm.KC, K is blocked (the kernels then add to C); above MC rows A is packed in several blocks. AVX-512:
        // 1 … 12 rows are one wide group whose last tile computes 2, 4 or 6 rows; with a lone panel (n = 48), 8 … 24
        // rows are 2-, 3- and 4-tile tall groups
        foreach (int m in new[] { 3, 4, 5, 8, 10, 12, 16, 20, 22, 24, Gemm.SmallM + 1, 97, Gemm.MC + 7 })
            foreach (int k in new[] { 255, 600, Gemm.KC + 1 })
                foreach (int n in new[] { 33, 48, 64 })
                    shapes.Add((m, n, k));
        var d = new TheoryData<int, int, int>();
        foreach (var (m, n, k) in shapes) d.Add(m, n, k);
        return d;
    }

    [Theory]
    [MemberData(nameof(GemmShapes))]
    public void Gemm_matches_naive(int m, int n, int k)
    {
        var rng = new Random(m * 10007 + n * 101 + k);
        var a = Random(rng, m * k);
        var w = Random(rng, n * k);
        var bias = Random(rng, n);
        var residual = Random(rng, m * n);
        var packed = PackedMatrix.FromLinearWeight(w, n, k);
        foreach (var (useBias, useResidual) in new[] { (false, false), (true, false), (true, true), (false, true) })
        {
            var expected = new float[m * n];
            GemmNaive.Linear(a, m, k, w, n, expected, useBias ? bias : default, useResidual ? residual : default);
            var actual = new float[m * n];
            Array.Fill(actual, float.NaN); // every element must be written
            Gemm.Run(a, m, packed, actual, useBias ? bias : default, useResidual ? residual : default);
            for (int i = 0; i < actual.Length; i++)
            {
                double tol = 1e-6 * Math.Sqrt(k) * 4 + 1e-6 * Math.Abs(expected[i]);
                Assert.True(Math.Abs(actual[i] - expected[i]) <= tol, $"m={m} n={n} k={k} bias={useBias} res={useResidual} [{i / n},{i % n}]: {actual[i]} vs {expected[i]}");
            }
        }
    }

    [Fact]
    public unsafe void Gemm_writes_only_its_panel_range_with_strided_operands()
    {
        const int m = 9, n = 40, k = 30, lda = 35, ldc = 47;
        var rng = new Random(7);
        var a = Random(rng, m * lda);
        var w = Random(rng, n * k);
        var packed = PackedMatrix.FromLinearWeight(w, n, k);
        var c = new float[m * ldc];
        Array.Fill(c, 123f);
        fixed (float* pa = a)
        fixed (float* pb = packed.Data)
        fixed (float* pc = c)
            Gemm.Run(pa, lda, m, pb, n, k, pc, ldc, 1, 2); // columns 16..31 only
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                if (j is >= 16 and < 32)
                {
                    double s = 0;
                    for (int kk = 0; kk < k; kk++) s += (double)a[i * lda + kk] * w[j * k + kk];
                    Assert.True(Math.Abs(s - c[i * ldc + j]) < 1e-5, $"[{i},{j}]: {c[i * ldc + j]} vs {s}");
                }
                else
                {
                    Assert.Equal(123f, c[i * ldc + j]);
                }
            }
        }
    }

    [Fact]
    public void Packing_row_major_equals_packing_the_transpose()
    {
        var rng = new Random(3);
        const int k = 11, n = 21;
        var b = Random(rng, k * n); // k × n row-major
        var bt = new float[n * k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < n; j++)
                bt[j * k + i] = b[i * n + j];
        var p1 = new float[PackedMatrix.PackedLength(n, k)];
        var p2 = new float[PackedMatrix.PackedLength(n, k)];
        PackedMatrix.PackRowMajor(b, n, k, n, p1);
        PackedMatrix.PackTransposed(bt, k, n, k, p2);
        Assert.Equal(p2, p1);
    }

    [Theory]
    [InlineData(1, 8, 8)]
    [InlineData(7, 9, 9)]
    [InlineData(8, 8, 13)]
    [InlineData(15, 32, 96)]
    [InlineData(16, 32, 1152)] // attention's Kₕ: 32 dims of rows 3 · 384 apart
    [InlineData(17, 64, 64)]
    [InlineData(33, 70, 75)]
    [InlineData(128, 64, 2304)]
    [InlineData(21, 7, 7)] // k < 8: element by element
    public void Pack_transposed_by_8x8_blocks_equals_the_element_by_element_form(int n, int k, int rowStride)
    {
        var rng = new Random(n * 1000 + k);
        var src = Random(rng, (n - 1) * rowStride + k);
        var expected = new float[PackedMatrix.PackedLength(n, k)];
        var actual = new float[PackedMatrix.PackedLength(n, k)];
        actual.AsSpan().Fill(float.NaN); // the padding columns must be written (zeros), not left as found
        PackedMatrix.PackTransposedScalar(src, rowStride, n, k, expected);
        PackedMatrix.PackTransposed(src, rowStride, n, k, actual);
        Assert.Equal(expected, actual);
    }

    public static TheoryData<ActivationKind> Activations() => new(Enum.GetValues<ActivationKind>());

    [Theory]
    [MemberData(nameof(Activations))]
    public void Activation_matches_naive_for_every_length_and_tail(ActivationKind kind)
    {
        var rng = new Random((int)kind);
        foreach (int len in Enumerable.Range(0, 41).Append(1000))
        {
            var x = Random(rng, len, 8f);
            if (len > 3) { x[0] = 0f; x[1] = -30f; x[2] = 30f; }
            var y = (float[])x.Clone();
            ActivationKernels.Apply(kind, y);
            for (int i = 0; i < len; i++)
            {
                float e = ActivationKernels.Naive(kind, x[i]);
                Assert.True(Math.Abs(y[i] - e) <= 2e-6 + 2e-6 * Math.Abs(e), $"{kind} len={len} x={x[i]}: {y[i]} vs {e}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void Activation_is_finite_on_extreme_inputs(ActivationKind kind)
    {
        var x = new[] { -1e30f, -1000f, -88.8f, -20f, -1e-30f, 0f, 1e-30f, 20f, 88.8f, 1000f, float.MaxValue / 4, -float.MaxValue / 4 };
        ActivationKernels.Apply(kind, x);
        if (kind is ActivationKind.Linear or ActivationKind.Relu or ActivationKind.GeluTanh or ActivationKind.GeluErf or ActivationKind.GeluFast or ActivationKind.QuickGelu or ActivationKind.Silu)
            return; // unbounded above: only the bounded part is checked by the next assertion
        Assert.All(x, v => Assert.True(float.IsFinite(v), $"{kind}: {v}"));
    }

    [Fact]
    public void Erf_scalar_matches_double()
    {
        foreach (float x in ErfProbe.Points())
            Assert.True(Math.Abs(Erf.Single(x) - Erf.Double(x)) <= ErfProbe.Bound, $"erf({x}) = {Erf.Single(x)} vs {Erf.Double(x)}");
        Assert.Equal(1f, Erf.Single(float.PositiveInfinity));
        Assert.Equal(-1f, Erf.Single(float.NegativeInfinity));
    }

    [Fact]
    public void Erf256_matches_double()
    {
        var xs = ErfProbe.Points();
        for (int i = 0; i + 8 <= xs.Length; i += 8)
        {
            var y = Erf.Vector(System.Runtime.Intrinsics.Vector256.Create(xs.AsSpan(i, 8)));
            for (int j = 0; j < 8; j++)
                Assert.True(Math.Abs(y[j] - Erf.Double(xs[i + j])) <= ErfProbe.Bound, $"erf({xs[i + j]}) = {y[j]} vs {Erf.Double(xs[i + j])}");
        }
    }

    [Vector512Fact]
    public void Erf_and_exp_Vector512_forms_equal_the_Vector256_forms_lane_for_lane()
    {
        var xs = ErfProbe.Points().Concat(Enumerable.Range(0, 4001).Select(i => -16f + 16f * i / 4000)).ToList();
        while (xs.Count % 16 != 0) xs.Add(0.5f);
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(xs);
        for (int i = 0; i < xs.Count; i += 16)
        {
            var wide = System.Runtime.Intrinsics.Vector512.Create(span.Slice(i, 16));
            var lo = System.Runtime.Intrinsics.Vector256.Create(span.Slice(i, 8));
            var hi = System.Runtime.Intrinsics.Vector256.Create(span.Slice(i + 8, 8));
            var erf = Erf.Vector(wide);
            var (erfLo, erfHi) = (Erf.Vector(lo), Erf.Vector(hi));
            var negative = -System.Runtime.Intrinsics.Vector512.Abs(wide);
            var exp = VectorExp.ExpInRange(negative);
            var (expLo, expHi) = (VectorExp.ExpInRange(negative.GetLower()), VectorExp.ExpInRange(negative.GetUpper()));
            for (int j = 0; j < 16; j++)
            {
                float e256 = j < 8 ? erfLo[j] : erfHi[j - 8], x256 = j < 8 ? expLo[j] : expHi[j - 8];
                Assert.True(BitConverter.SingleToInt32Bits(erf[j]) == BitConverter.SingleToInt32Bits(e256), $"erf({xs[i + j]:R}): {erf[j]:R} vs {e256:R}");
                Assert.True(BitConverter.SingleToInt32Bits(exp[j]) == BitConverter.SingleToInt32Bits(x256), $"exp({negative[j]:R}): {exp[j]:R} vs {x256:R}");
            }
        }
    }

    [Fact]
    public void Gelu_is_zero_not_nan_far_left()
    {
        foreach (var kind in new[] { ActivationKind.GeluTanh, ActivationKind.GeluErf, ActivationKind.GeluFast, ActivationKind.Silu, ActivationKind.QuickGelu })
        {
            var x = Enumerable.Repeat(-1000f, 9).ToArray();
            ActivationKernels.Apply(kind, x);
            Assert.All(x, v => Assert.True(v == 0f || (Math.Abs(v) < 1e-30 && !float.IsNaN(v)), $"{kind}: {v}"));
        }
    }

    [Fact]
    public void VectorExp_is_within_2_ulp_of_double_exp_zero_below_the_normal_range_and_finite_above()
    {
        var rng = new Random(5);
        var xs = Enumerable.Range(0, 20000).Select(_ => (float)(rng.NextDouble() * 174 - 87))
            .Concat([0f, -0f, 1e-30f, 0.34657359f, -0.34657359f, 88f, -87.3f, 1f, -1f]).ToArray();
        for (int i = 0; i + 8 <= xs.Length; i += 8)
        {
            var y = VectorExp.Exp(System.Runtime.Intrinsics.Vector256.Create(xs.AsSpan(i, 8)));
            for (int j = 0; j < 8; j++)
            {
                double e = Math.Exp(xs[i + j]);
                Assert.True(Math.Abs(y[j] - e) <= 2.4e-7 * e, $"exp({xs[i + j]}) = {y[j]} vs {e}");
            }
        }
        var extreme = VectorExp.Exp(System.Runtime.Intrinsics.Vector256.Create(-1e30f, -1000f, -88f, float.NegativeInfinity, 89f, 1000f, float.MaxValue, float.PositiveInfinity));
        for (int j = 0; j < 4; j++)
            Assert.Equal(0f, extreme[j]); // below the normal range (and a masked score, −∞): exactly zero
        for (int j = 4; j < 8; j++)
            Assert.Equal((float)Math.Exp(88), extreme[j], 1e32f); // saturates, finite
    }

    /// <summary>D17's exp as it was written before D47 (Round, then a conversion for 2ⁿ): the oracle of the rounding-shift form.</summary>
    static System.Runtime.Intrinsics.Vector256<float> ExpWithRound(System.Runtime.Intrinsics.Vector256<float> x)
    {
        var n = System.Runtime.Intrinsics.Vector256.Round(x * System.Runtime.Intrinsics.Vector256.Create(1.44269504088896341f));
        var r = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(n, System.Runtime.Intrinsics.Vector256.Create(-0.693359375f), x);
        r = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(n, System.Runtime.Intrinsics.Vector256.Create(2.12194440e-4f), r);
        var p = System.Runtime.Intrinsics.Vector256.Create(1.9875691500e-4f);
        foreach (float coefficient in (float[])[1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f])
            p = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(p, r, System.Runtime.Intrinsics.Vector256.Create(coefficient));
        var e = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(p, r * r, r) + System.Runtime.Intrinsics.Vector256<float>.One;
        var scale = System.Runtime.Intrinsics.Vector256.ShiftLeft(
            System.Runtime.Intrinsics.Vector256.ConvertToInt32(n) + System.Runtime.Intrinsics.Vector256.Create(127), 23).AsSingle();
        return e * scale;
    }

    /// <summary>The Vector128 twin of <see cref="ExpWithRound"/> (multiply-adds as <c>MultiplyAddEstimate</c>, as the kernel).</summary>
    static Vector128<float> ExpWithRound128(Vector128<float> x)
    {
        var n = Vector128.Round(x * Vector128.Create(1.44269504088896341f));
        var r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-0.693359375f), x);
        r = Vector128.MultiplyAddEstimate(n, Vector128.Create(2.12194440e-4f), r);
        var p = Vector128.Create(1.9875691500e-4f);
        foreach (float coefficient in (float[])[1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f])
            p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(coefficient));
        var e = Vector128.MultiplyAddEstimate(p, r * r, r) + Vector128<float>.One;
        return e * Vector128.ShiftLeft(Vector128.ConvertToInt32(n) + Vector128.Create(127), 23).AsSingle();
    }

    [Fact]
    public void VectorExp_in_range_form_equals_the_rounding_form_bit_for_bit_ties_included()
    {
        var xs = new List<float>();
        for (int i = 0; i <= 200_000; i++) xs.Add(-87.33f + 175.33f * i / 200_000);
        // inputs whose x·log₂e is exactly half-way between integers: where round-half-to-even matters
        for (int k = -126; k <= 126; k++)
        {
            float x = (float)((k + 0.5) / 1.44269504088896341);
            for (int step = 0; step < 64; step++, x = MathF.BitIncrement(x))
            {
                float y = x * 1.44269504088896341f;
                if (y - MathF.Floor(y) == 0.5f) xs.Add(x);
            }
        }
        int ties = xs.Count - 200_001;
        Assert.True(ties > 20, $"only {ties} half-way inputs found");
        while (xs.Count % 8 != 0) xs.Add(0f);
        for (int i = 0; i < xs.Count; i += 8)
        {
            var x = System.Runtime.Intrinsics.Vector256.Create(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(xs).Slice(i, 8));
            var expected = ExpWithRound(x);
            var actual = VectorExp.ExpInRange(x);
            var viaExp = VectorExp.Exp(x);
            var narrow = VectorExp.ExpInRange(x.GetLower());
            var narrowExpected = ExpWithRound128(x.GetLower());
            for (int j = 0; j < 8; j++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(expected[j]) == BitConverter.SingleToInt32Bits(actual[j]),
                    $"exp({xs[i + j]:R}): {actual[j]:R} vs {expected[j]:R}");
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[j]), BitConverter.SingleToInt32Bits(viaExp[j]));
                if (j < 4) Assert.Equal(BitConverter.SingleToInt32Bits(narrowExpected[j]), BitConverter.SingleToInt32Bits(narrow[j]));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(128)]
    [InlineData(769)]
    public void LayerNorm_matches_naive(int n)
    {
        var rng = new Random(n);
        var x = Random(rng, n, 3f);
        for (int i = 0; i < n; i++) x[i] += 5f; // an offset mean stresses the variance computation
        var w = Random(rng, n);
        var b = Random(rng, n);
        var expected = new float[n];
        NormKernels.NaiveLayerNorm(x, expected, w, b, 1e-12f);
        var actual = new float[n];
        NormKernels.LayerNorm(x, actual, w, b, 1e-12f);
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 + 1e-5 * Math.Abs(expected[i]), $"n={n} [{i}]: {actual[i]} vs {expected[i]}");
        // in place
        NormKernels.LayerNorm(x, x, w, b, 1e-12f);
        Assert.Equal(actual, x);
    }

    [Fact]
    public void LayerNorm_of_a_constant_row_is_the_bias()
    {
        var x = Enumerable.Repeat(3.5f, 20).ToArray();
        var w = Enumerable.Repeat(2f, 20).ToArray();
        var b = Enumerable.Range(0, 20).Select(i => (float)i).ToArray();
        var y = new float[20];
        NormKernels.LayerNorm(x, y, w, b, 1e-12f);
        Assert.Equal(b, y);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(300)]
    public void Softmax_matches_naive_with_masked_and_large_entries(int n)
    {
        var rng = new Random(n);
        var x = Random(rng, n, 20f);
        if (n > 2) { x[0] = float.NegativeInfinity; x[1] = 1000f; }
        var expected = (float[])x.Clone();
        NormKernels.NaiveSoftmax(expected);
        var actual = (float[])x.Clone();
        NormKernels.Softmax(actual);
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 + 1e-5 * expected[i], $"n={n} [{i}]: {actual[i]} vs {expected[i]}");
        Assert.Equal(1.0, actual.Sum(v => (double)v), 5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(128)]
    [InlineData(300)]
    public void Softmax_numerators_over_their_sum_are_the_softmax(int n)
    {
        // attention keeps the numerators and divides its P·V rows by their sum (D46)
        var rng = new Random(200 + n);
        var x = Random(rng, n, 40f);
        if (n > 2) { x[n - 2] = float.NegativeInfinity; x[0] = 250f; }
        const float scale = 0.125f;
        var expected = x.Select(v => v * scale).ToArray();
        NormKernels.NaiveSoftmax(expected);
        var numerators = (float[])x.Clone();
        float sum = NormKernels.SoftmaxNumerators(numerators, scale);
        Assert.True(sum >= 1f, $"the max entry contributes e⁰ = 1 (sum {sum})");
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(numerators[i] / sum - expected[i]) <= 1e-6 + 1e-5 * expected[i], $"n={n} [{i}]: {numerators[i] / sum} vs {expected[i]}");
        if (n > 2) Assert.Equal(0f, numerators[n - 2]);
    }

    [Theory]
    [InlineData(1, 0.17677669f)]
    [InlineData(7, 0.17677669f)]
    [InlineData(16, 0.125f)]
    [InlineData(33, 0.35355339f)]
    [InlineData(128, 0.17677669f)]
    public void Scaled_softmax_equals_softmax_of_the_scaled_row(int n, float scale)
    {
        // attention's softmax(scale · scores) with the scale folded into the exponent (D38), against the naive
        // softmax of the row multiplied first, as AttentionJob did before
        var rng = new Random(100 + n);
        var x = Random(rng, n, 60f);
        if (n > 3) { x[2] = float.NegativeInfinity; x[n - 1] = 300f; }
        var expected = x.Select(v => v * scale).ToArray();
        NormKernels.NaiveSoftmax(expected);
        var actual = (float[])x.Clone();
        NormKernels.Softmax(actual, scale);
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 + 1e-5 * expected[i], $"n={n} [{i}]: {actual[i]} vs {expected[i]}");
        if (n > 3) Assert.Equal(0f, actual[2]);
        Assert.Equal(1.0, actual.Sum(v => (double)v), 5);
    }
}
