using AlbertGen.Kernels;

namespace AlbertGen.Tests;

/// <summary>
/// The int8 GEMM (docs/decisions.md D35): every kernel this CPU can run equals the int32 naive twin bit for bit, over
/// shapes at and off the 6 × 16 tile and the k-pair, and at the extremes of the quantized range.
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

    static void Check(Int8Kernel kernel, int m, int n, int k, float[] a, float[] w)
    {
        var rng = new Random(m + 7 * n + 13 * k);
        var bias = KernelTests.Random(rng, n);
        var residual = KernelTests.Random(rng, m * n);
        var (q, scales) = QuantizedMatrix.Quantize(w, n, k);
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

    [Int8KernelTheory(Int8Kernel.Avx2)]
    [MemberData(nameof(Shapes))]
    public void Avx2_equals_naive(int m, int n, int k) => RandomCase(Int8Kernel.Avx2, m, n, k);

    [Int8KernelTheory(Int8Kernel.Vector128)]
    [MemberData(nameof(Shapes))]
    public void Vector128_equals_naive(int m, int n, int k) => RandomCase(Int8Kernel.Vector128, m, n, k);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Scalar_equals_naive(int m, int n, int k) => RandomCase(Int8Kernel.Scalar, m, n, k);

    static void RandomCase(Int8Kernel kernel, int m, int n, int k)
    {
        var rng = new Random(m * 10007 + n * 101 + k);
        Check(kernel, m, n, k, KernelTests.Random(rng, m * k, 3f), KernelTests.Random(rng, n * k));
    }

    /// <summary>
    /// Saturation extremes: every activation and weight at ±max quantizes to ±127, so each pmaddwd pair is ±32258 and
    /// the int32 sums reach ±127²·K (K = 4099: 66 M; the kernels must neither saturate nor wrap); also all-zero rows
    /// (scale 0), a row of one huge value among tiny ones, and ties at x.5 (round half to even).
    /// </summary>
    [Theory]
    [InlineData(nameof(Int8Kernel.Avx2))]
    [InlineData(nameof(Int8Kernel.Vector128))]
    [InlineData(nameof(Int8Kernel.Scalar))]
    [InlineData(nameof(Int8Kernel.Auto))]
    public void Extremes_equal_naive(string kernelName)
    {
        var kernel = Enum.Parse<Int8Kernel>(kernelName);
        if (!GemmInt8.IsSupported(kernel)) return; // the per-kernel theories above report the skip
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
        Check(kernel, m, n, k, a, w);
        // the ±max rows: exact integers ±127·127·K times the scales
        var (q, scales) = QuantizedMatrix.Quantize(w, n, k);
        var packed = QuantizedMatrix.FromInt8(q, scales, n, k);
        var c = new float[m * n];
        GemmInt8.Run(a, m, packed, c, kernel: kernel);
        Assert.Equal((float)(127 * 127 * k) * ((5f / 127) * (1f / 127)), c[0]);
        Assert.Equal(-(float)(127 * 127 * k) * ((5f / 127) * (1f / 127)), c[n]);
        Assert.Equal(0f, c[3 * n + 5]);
    }

    [Fact]
    public void Row_quantization_matches_scalar_and_rounds_half_to_even()
    {
        var rng = new Random(3);
        foreach (int k in new[] { 1, 7, 8, 9, 15, 16, 17, 33, 768 })
        {
            var row = KernelTests.Random(rng, k, 10f);
            var expected = new short[k];
            float es = GemmInt8Naive.QuantizeRow(row, expected);
            var actual = new short[k];
            float s;
            unsafe
            {
                fixed (float* x = row) fixed (short* q = actual) s = GemmInt8.QuantizeRow(x, k, q);
            }
            Assert.Equal(es, s);
            Assert.Equal(expected, actual);
        }
        // max 127 → inv 1: 0.5 → 0, 1.5 → 2, 2.5 → 2, −0.5 → 0, −1.5 → −2
        float[] ties = [127f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -127f, 126.5f, 3.5f];
        var tq = new short[ties.Length];
        unsafe
        {
            fixed (float* x = ties) fixed (short* q = tq) GemmInt8.QuantizeRow(x, ties.Length, q);
        }
        Assert.Equal(new short[] { 127, 0, 2, 2, 0, -2, -127, 126, 4 }, tq);
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
    }
}
