using AlbertGen.Kernels;

namespace AlbertGen.Tests;

/// <summary>
/// The int8 GEMM (docs/decisions.md D35, D39): every kernel this CPU can run equals the int32 naive twin bit for bit,
/// over shapes at and off the 6 × 16 tile and the k-quad, and at the extremes of the quantized range.
/// </summary>
public class GemmInt8Tests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var shapes = new SortedSet<(int M, int N, int K)>();
        foreach (int m in new[] { 1, 2, 5, 6, 7, 13, 31 })
            foreach (int n in new[] { 1, 3, 15, 16, 17, 33, 64 })
                foreach (int k in new[] { 1, 2, 3, 7, 8, 15, 16, 17, 255, 600 })
                    shapes.Add((m, n, k));
        shapes.Add((97, 50, 769));
        shapes.Add((200, 48, 3072));
        var d = new TheoryData<int, int, int>();
        foreach (var (m, n, k) in shapes) d.Add(m, n, k);
        return d;
    }

    static void Check(Int8Kernel kernel, int m, int n, int k, float[] a, float[] w, int qMax)
    {
        var rng = new Random(m + 7 * n + 13 * k);
        var bias = KernelTests.Random(rng, n);
        var residual = KernelTests.Random(rng, m * n);
        var (q, scales) = QuantizedMatrix.Quantize(w, n, k, qMax);
        var packed = QuantizedMatrix.FromInt8(q, scales, n, k);
        foreach (var (useBias, useResidual) in new[] { (false, false), (true, false), (true, true), (false, true) })
        {
            var expected = new float[m * n];
            GemmInt8Naive.Linear(a, m, k, q, scales, n, expected, useBias ? bias : default, useResidual ? residual : default);
            var actual = new float[m * n];
            Array.Fill(actual, float.NaN); // every element must be written
            GemmInt8.Run(a, m, packed, actual, useBias ? bias : default, useResidual ? residual : default, kernel);
            for (int i = 0; i < actual.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                    Assert.Fail($"{kernel} m={m} n={n} k={k} bias={useBias} res={useResidual} [{i / n},{i % n}]: {actual[i]:R} vs naive {expected[i]:R}");
            }
        }
    }

    [Int8KernelTheory(Int8Kernel.AvxVnni)]
    [MemberData(nameof(Shapes))]
    public void AvxVnni_equals_naive(int m, int n, int k) => RandomCase(Int8Kernel.AvxVnni, m, n, k);

    [Int8KernelTheory(Int8Kernel.Avx2)]
    [MemberData(nameof(Shapes))]
    public void Avx2_equals_naive(int m, int n, int k) => RandomCase(Int8Kernel.Avx2, m, n, k);

    [Int8KernelTheory(Int8Kernel.Avx2Pairs)]
    [MemberData(nameof(Shapes))]
    public void Avx2Pairs_equals_naive(int m, int n, int k) => RandomCase(Int8Kernel.Avx2Pairs, m, n, k);

    [Int8KernelTheory(Int8Kernel.Vector128)]
    [MemberData(nameof(Shapes))]
    public void Vector128_equals_naive(int m, int n, int k) => RandomCase(Int8Kernel.Vector128, m, n, k);

    [Int8KernelTheory(Int8Kernel.ArmDot)]
    [MemberData(nameof(Shapes))]
    public void ArmDot_equals_naive(int m, int n, int k) => RandomCase(Int8Kernel.ArmDot, m, n, k);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Scalar_equals_naive(int m, int n, int k) => RandomCase(Int8Kernel.Scalar, m, n, k);

    static void RandomCase(Int8Kernel kernel, int m, int n, int k)
    {
        var rng = new Random(m * 10007 + n * 101 + k);
        Check(kernel, m, n, k, KernelTests.Random(rng, m * k, 3f), KernelTests.Random(rng, n * k), GemmInt8.WeightMaxFor(kernel));
    }

    /// <summary>Auto on a reduced-range matrix (the pair kernel where AVX2 is the best this CPU has) equals the naive twin.</summary>
    [Fact]
    public void Auto_on_reduced_range_weights_equals_naive()
    {
        var rng = new Random(5);
        Check(Int8Kernel.Auto, 37, 50, 771, KernelTests.Random(rng, 37 * 771, 3f), KernelTests.Random(rng, 50 * 771), QuantizedMatrix.ReducedQMax);
    }

    [Fact]
    public void Reduced_range_weights_pick_the_pair_kernel_only_where_it_is_exact()
    {
        var rng = new Random(6);
        var w = KernelTests.Random(rng, 20 * 40);
        var (q7, s7) = QuantizedMatrix.Quantize(w, 20, 40, QuantizedMatrix.ReducedQMax);
        var (q8, s8) = QuantizedMatrix.Quantize(w, 20, 40);
        var reduced = QuantizedMatrix.FromInt8(q7, s7, 20, 40);
        var full = QuantizedMatrix.FromInt8(q8, s8, 20, 40);
        Assert.Equal(QuantizedMatrix.ReducedQMax, reduced.MaxAbsWeight);
        Assert.True(reduced.IsReducedRange);
        Assert.Equal(QuantizedMatrix.QMax, full.MaxAbsWeight);
        Assert.False(full.IsReducedRange);
        Assert.NotEqual(Int8Kernel.Avx2Pairs, GemmInt8.BestFor(full));
        Assert.Equal(GemmInt8.Best == Int8Kernel.Avx2 ? Int8Kernel.Avx2Pairs : GemmInt8.Best, GemmInt8.BestFor(reduced));
        if (GemmInt8.IsSupported(Int8Kernel.Avx2Pairs))
        {
            var ex = Assert.Throws<ArgumentException>(() => GemmInt8.Run(new float[40], 1, full, new float[20], kernel: Int8Kernel.Avx2Pairs));
            Assert.Contains("[−64, 64]", ex.Message);
        }
    }

    /// <summary>
    /// Saturation extremes: a row at +max quantizes to 127 everywhere and weights at ±max to ±127, so each
    /// <c>pmaddubsw</c> pair sum is ±32258 (the int16 limit is 32767) and the int32 sums reach ±127²·K (K = 4099: 66 M);
    /// a row at −max has zero point 127 and q = 0 (the compensation term carries it all); also all-zero rows (scale 0),
    /// a row of one huge value among tiny ones, and ties at x.5 (round half to even).
    /// </summary>
    [Int8KernelFact(Int8Kernel.AvxVnni)]
    public void Extremes_equal_naive_AvxVnni() => Extremes(Int8Kernel.AvxVnni);

    [Int8KernelFact(Int8Kernel.Avx2)]
    public void Extremes_equal_naive_Avx2() => Extremes(Int8Kernel.Avx2);

    [Int8KernelFact(Int8Kernel.Avx2Pairs)]
    public void Extremes_equal_naive_Avx2Pairs() => Extremes(Int8Kernel.Avx2Pairs);

    [Fact]
    public void Extremes_equal_naive_Auto_reduced_range() => Extremes(Int8Kernel.Auto, QuantizedMatrix.ReducedQMax);

    [Int8KernelFact(Int8Kernel.Vector128)]
    public void Extremes_equal_naive_Vector128() => Extremes(Int8Kernel.Vector128);

    [Int8KernelFact(Int8Kernel.ArmDot)]
    public void Extremes_equal_naive_ArmDot() => Extremes(Int8Kernel.ArmDot);

    [Fact]
    public void Extremes_equal_naive_Scalar() => Extremes(Int8Kernel.Scalar);

    [Fact]
    public void Extremes_equal_naive_Auto() => Extremes(Int8Kernel.Auto);

    static void Extremes(Int8Kernel kernel) => Extremes(kernel, GemmInt8.WeightMaxFor(kernel));

    /// <summary>
    /// With the reduced range (<paramref name="qMax"/> 64) the pair kernel's int16 sum of two quads reaches
    /// ±4 · 127 · 64 = ±32 512 on the ±max rows against the ±1 columns.
    /// </summary>
    static void Extremes(Int8Kernel kernel, int qMax)
    {
        int m = 9, n = 19, k = 4099;
        var a = new float[m * k];
        var w = new float[n * k];
        for (int kk = 0; kk < k; kk++)
        {
            a[kk] = 5f; a[k + kk] = -5f; a[2 * k + kk] = kk % 2 == 0 ? 5f : -5f; // rows 0–2: ±max everywhere
            // row 3 stays all zero
            a[4 * k + kk] = kk == 17 ? 1e30f : 1e-30f;                        // one huge value
            a[5 * k + kk] = (kk % 255 - 127) * 0.5f;                          // exact halves: q = round-half-even
            a[6 * k + kk] = kk % 3 == 0 ? -0f : 0f;
            a[7 * k + kk] = float.Epsilon * (kk % 5);                          // denormals
            a[8 * k + kk] = (float)Math.Sin(kk) * 1e4f;
        }
        for (int j = 0; j < n; j++)
            for (int kk = 0; kk < k; kk++)
                w[j * k + kk] = j switch { 0 => 1f, 1 => -1f, 2 => 0f, 3 => kk % 2 == 0 ? -2f : 2f, _ => (float)Math.Cos(j * kk) };
        Check(kernel, m, n, k, a, w, qMax);
        // the ±max rows: exact integers ±127·qMax·K times the scales
        var (q, scales) = QuantizedMatrix.Quantize(w, n, k, qMax);
        var packed = QuantizedMatrix.FromInt8(q, scales, n, k);
        var c = new float[m * n];
        GemmInt8.Run(a, m, packed, c, kernel: kernel);
        Assert.Equal((float)(127 * qMax * k) * ((5f / 127) * (1f / qMax)), c[0]);
        Assert.Equal(-(float)(127 * qMax * k) * ((5f / 127) * (1f / qMax)), c[n]);
        Assert.Equal(0f, c[3 * n + 5]);
    }

    [Fact]
    public void Row_quantization_matches_scalar_and_rounds_half_to_even()
    {
        var rng = new Random(3);
        foreach (int k in new[] { 1, 7, 8, 9, 15, 16, 17, 33, 768 })
        {
            foreach (float shift in new[] { 0f, 6f, -6f, 100f })
            {
                var row = KernelTests.Random(rng, k, 10f).Select(x => x + shift).ToArray();
                var expected = new byte[k];
                float es = GemmInt8Naive.QuantizeRow(row, expected, out int ezp);
                var actual = new byte[k];
                float s;
                int zp;
                unsafe
                {
                    fixed (float* x = row) fixed (byte* q = actual) s = GemmInt8.QuantizeRow(x, k, q, out zp);
                }
                Assert.Equal(es, s);
                Assert.Equal(ezp, zp);
                Assert.Equal(expected, actual);
                Assert.All(actual, v => Assert.InRange(v, 0, GemmInt8.ActivationMax));
                Assert.InRange(zp, 0, GemmInt8.ActivationMax);
            }
        }
        // max − min = 127 → inv 1, zp = 27: 0.5 → 0 + 27, 1.5 → 2 + 27, 2.5 → 2 + 27, −0.5 → 27, −1.5 → −2 + 27
        AssertQuantized([100f, -27f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 3.5f], 27, [127, 0, 27, 29, 29, 27, 25, 31]);
        // the zero point itself rounds half to even: −min · inv = 26.5 → 26; 100.5 → 100 + 26
        AssertQuantized([100.5f, -26.5f, 0f], 26, [126, 0, 26]);
        // all non-negative: zp 0, the range widened to include 0; all non-positive: zp 127
        AssertQuantized([0f, 127f, 63.5f], 0, [0, 127, 64]);
        AssertQuantized([0f, -127f, -63.5f], 127, [127, 0, 63]);
    }

    static unsafe void AssertQuantized(float[] row, int expectedZeroPoint, byte[] expected)
    {
        var q = new byte[row.Length];
        int zp;
        fixed (float* x = row) fixed (byte* pq = q) GemmInt8.QuantizeRow(x, row.Length, pq, out zp);
        Assert.Equal(expectedZeroPoint, zp);
        Assert.Equal(expected, q);
    }

    [Fact]
    public void Weight_quantization_is_symmetric_per_row()
    {
        float[] w = [0.5f, -1f, 0.25f, 0f, 0f, 0f, 3f, 1.5f, -3f];
        var (q, scales) = QuantizedMatrix.Quantize(w, 3, 3);
        Assert.Equal(new sbyte[] { 64, -127, 32, 0, 0, 0, 127, 64, -127 }, q); // 63.5 → 64 (half to even), 31.75 → 32
        Assert.Equal(new[] { 1f / 127, 0f, 3f / 127 }, scales);
        Assert.Throws<ArgumentException>(() => QuantizedMatrix.Quantize([float.NaN], 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedMatrix.FromInt8(new sbyte[QuantizedMatrix.MaxK + 1], [1f], 1, QuantizedMatrix.MaxK + 1));
        // the reduced range (D41): scale max / 64
        var (q7, s7) = QuantizedMatrix.Quantize(w, 3, 3, QuantizedMatrix.ReducedQMax);
        Assert.Equal(new sbyte[] { 32, -64, 16, 0, 0, 0, 64, 32, -64 }, q7);
        Assert.Equal(new[] { 1f / 64, 0f, 3f / 64 }, s7);
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedMatrix.Quantize(w, 3, 3, 128));
    }
}
