using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AlbertGen.Kernels;

/// <summary>The int8 micro-kernel a GEMM runs; <see cref="Auto"/> picks the best this CPU has (tests force each).</summary>
internal enum Int8Kernel
{
    Auto,
    /// <summary>6 × 16 over ymm registers: <c>vpmovsxbw</c> + <c>vpmaddwd</c> + <c>vpaddd</c>.</summary>
    Avx2,
    /// <summary>6 × 8 over xmm registers (<c>pmaddwd</c>), twice per panel: x86 without AVX2.</summary>
    Vector128,
    /// <summary>Plain loops over the packed layout: CPUs without SSE2 (ARM64 until an <c>sdot</c> kernel exists).</summary>
    Scalar,
}

/// <summary>
/// C (m × n) = dequant(quant(A) · Bᵀ) [+ bias] [+ residual] with B a <see cref="QuantizedMatrix"/> (docs/decisions.md D35).
/// A is quantized per row at run time (dynamic, as ONNX Runtime's DynamicQuantizeLinear, but symmetric):
/// scale_a[i] = max|A[i, :]| / 127, q = round-half-even(A · 127 / max) clamped to [−127, 127], and packed as int16 pairs
/// in 6-row tiles (<see cref="QuantizeRows"/>). The micro-kernels sign-extend B to int16 and multiply with
/// <c>pmaddwd</c>: every product and pair sum is exact (no <c>pmaddubsw</c> int16 saturation, no 7-bit range, no
/// +128 compensation term), and the int32 sums are exact for K ≤ <see cref="QuantizedMatrix.MaxK"/>. Every kernel
/// therefore produces the same integers as <see cref="GemmInt8Naive"/>, and all share one float epilogue
/// (<c>(float)acc · (scale_a[i] · scale_w[j]) + bias[j] + residual</c>, in that order), so the results are equal bit
/// for bit. Single-threaded over a range of rows and panels: <c>Cpu/QuantizedGemmJob</c> splits the work.
/// </summary>
[SkipLocalsInit]
internal static unsafe class GemmInt8
{
    public const int MR = Gemm.MR; // the same row tiles as the float kernels (GemmPartition splits both alike)
    public const int NR = 16;

    /// <summary>The kernel <see cref="Int8Kernel.Auto"/> runs on this CPU.</summary>
    public static Int8Kernel Best => Avx2.IsSupported ? Int8Kernel.Avx2 : Sse2.IsSupported ? Int8Kernel.Vector128 : Int8Kernel.Scalar;

    /// <summary>Whether <paramref name="kernel"/> can run here.</summary>
    public static bool IsSupported(Int8Kernel kernel) => kernel switch
    {
        Int8Kernel.Avx2 => Avx2.IsSupported,
        Int8Kernel.Vector128 => Sse2.IsSupported,
        _ => true,
    };

    public static int PaddedRows(int m) => (m + MR - 1) / MR * MR;

    /// <summary>Ints of a packed A (one int = an int16 pair).</summary>
    public static long PackedALength(int m, int k) => (long)PaddedRows(m) * ((k + 1) / 2);

    /// <summary>
    /// Quantizes rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) (rowStart a multiple of MR) of A into
    /// <paramref name="packedA"/> (tile t at t·MR·kPairs ints, dst[kp·MR + r] = q[r, 2kp] | q[r, 2kp + 1] &lt;&lt; 16) and their
    /// scales into <paramref name="rowScales"/>. Padding rows of a last tile and an odd K's last pair are zero.
    /// <paramref name="rowBuffer"/> holds at least 2·kPairs shorts.
    /// </summary>
    public static void QuantizeRows(float* a, int lda, int m, int k, int* packedA, float* rowScales, int rowStart, int rowEnd, short* rowBuffer)
    {
        int kPairs = (k + 1) / 2;
        for (int t = rowStart; t < rowEnd; t += MR)
        {
            int* tile = packedA + (long)t * kPairs;
            for (int r = 0; r < MR; r++)
            {
                int row = t + r;
                int* dst = tile + r;
                if (row >= m)
                {
                    for (int kp = 0; kp < kPairs; kp++) dst[kp * MR] = 0;
                    continue;
                }
                rowBuffer[2 * kPairs - 1] = 0;
                rowScales[row] = QuantizeRow(a + (long)row * lda, k, rowBuffer);
                int* pairs = (int*)rowBuffer;
                for (int kp = 0; kp < kPairs; kp++) dst[kp * MR] = pairs[kp];
            }
        }
    }

    /// <summary>One row: returns its scale (max|x| / 127, 0 for an all-zero row) and writes k quantized values.</summary>
    public static float QuantizeRow(float* x, int k, short* q)
    {
        float max = MaxAbs(x, k);
        if (max == 0)
        {
            new Span<short>(q, k).Clear();
            return 0;
        }
        float inv = QuantizedMatrix.QMax / max;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vinv = Vector256.Create(inv);
            var lo = Vector256.Create(-(float)QuantizedMatrix.QMax);
            var hi = Vector256.Create((float)QuantizedMatrix.QMax);
            for (; i + 16 <= k; i += 16)
            {
                var r0 = Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(Vector256.Load(x + i) * vinv), lo), hi));
                var r1 = Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(Vector256.Load(x + i + 8) * vinv), lo), hi));
                Vector256.Narrow(r0, r1).Store(q + i);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var vinv = Vector128.Create(inv);
            var lo = Vector128.Create(-(float)QuantizedMatrix.QMax);
            var hi = Vector128.Create((float)QuantizedMatrix.QMax);
            for (; i + 8 <= k; i += 8)
            {
                var r0 = Vector128.ConvertToInt32(Vector128.Min(Vector128.Max(Vector128.Round(Vector128.Load(x + i) * vinv), lo), hi));
                var r1 = Vector128.ConvertToInt32(Vector128.Min(Vector128.Max(Vector128.Round(Vector128.Load(x + i + 4) * vinv), lo), hi));
                Vector128.Narrow(r0, r1).Store(q + i);
            }
        }
        for (; i < k; i++) q[i] = QuantizeScalar(x[i], inv);
        return max / QuantizedMatrix.QMax;
    }

    /// <summary>The scalar quantization every path agrees with: round-half-even(x · inv) clamped to ±127.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short QuantizeScalar(float x, float inv) =>
        (short)Math.Min(Math.Max(MathF.Round(x * inv), -(float)QuantizedMatrix.QMax), QuantizedMatrix.QMax);

    static float MaxAbs(float* x, int k)
    {
        int i = 0;
        float max = 0;
        if (Vector256.IsHardwareAccelerated && k >= 8)
        {
            var m = Vector256<float>.Zero;
            for (; i + 8 <= k; i += 8) m = Vector256.Max(m, Vector256.Abs(Vector256.Load(x + i)));
            for (int l = 0; l < 8; l++) max = Math.Max(max, m[l]);
        }
        for (; i < k; i++) max = Math.Max(max, Math.Abs(x[i]));
        return max;
    }

    /// <summary>
    /// C rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) (a multiple of MR), panels
    /// [<paramref name="panelStart"/>, <paramref name="panelEnd"/>), from A packed by <see cref="QuantizeRows"/>.
    /// </summary>
    public static void RunPacked(int* packedA, float* rowScales, int m, QuantizedMatrix b, sbyte* packedB, float* colScales, float* c, int ldc,
        int rowStart, int rowEnd, int panelStart, int panelEnd, float* bias = null, float* residual = null, int ldr = 0,
        Int8Kernel kernel = Int8Kernel.Auto)
    {
        if (kernel == Int8Kernel.Auto) kernel = Best;
        if (!IsSupported(kernel)) throw new PlatformNotSupportedException($"the {kernel} int8 kernel needs an instruction set this CPU lacks");
        int kPairs = b.KPairs, n = b.N;
        int* acc = stackalloc int[MR * NR];
        for (int p = panelStart; p < panelEnd; p++)
        {
            sbyte* bp = packedB + (long)p * kPairs * 2 * NR;
            int col = p * NR, cols = Math.Min(NR, n - col);
            for (int row = rowStart; row < rowEnd; row += MR)
            {
                int* a = packedA + (long)row * kPairs;
                switch (kernel)
                {
                    case Int8Kernel.Avx2: Kernel6x16Avx2(a, bp, kPairs, acc); break;
                    case Int8Kernel.Vector128:
                        Kernel6x8Sse2(a, bp, kPairs, acc);
                        Kernel6x8Sse2(a, bp + 16, kPairs, acc + 8);
                        break;
                    default: KernelScalar(a, bp, kPairs, acc); break;
                }
                int rows = Math.Min(MR, rowEnd - row);
                Epilogue(acc, rows, cols, rowScales + row, colScales + col, bias == null ? null : bias + col,
                    c + (long)row * ldc + col, ldc, residual == null ? null : residual + (long)row * ldr + col, ldr);
            }
        }
    }

    /// <summary>acc[r·16 + j] = Σ_kp pmaddwd over 6 rows × 16 columns (ymm accumulators: 12 + 2 for B + 2 temporaries).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void Kernel6x16Avx2(int* a, sbyte* b, int kPairs, int* acc)
    {
        Vector256<int> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<int>.Zero;
        for (int kp = 0; kp < kPairs; kp++)
        {
            var b0 = Avx2.ConvertToVector256Int16(b);
            var b1 = Avx2.ConvertToVector256Int16(b + 16);
            b += 2 * NR;
            var x = Vector256.Create(a[0]).AsInt16();
            c00 = Avx2.Add(c00, Avx2.MultiplyAddAdjacent(b0, x)); c01 = Avx2.Add(c01, Avx2.MultiplyAddAdjacent(b1, x));
            x = Vector256.Create(a[1]).AsInt16();
            c10 = Avx2.Add(c10, Avx2.MultiplyAddAdjacent(b0, x)); c11 = Avx2.Add(c11, Avx2.MultiplyAddAdjacent(b1, x));
            x = Vector256.Create(a[2]).AsInt16();
            c20 = Avx2.Add(c20, Avx2.MultiplyAddAdjacent(b0, x)); c21 = Avx2.Add(c21, Avx2.MultiplyAddAdjacent(b1, x));
            x = Vector256.Create(a[3]).AsInt16();
            c30 = Avx2.Add(c30, Avx2.MultiplyAddAdjacent(b0, x)); c31 = Avx2.Add(c31, Avx2.MultiplyAddAdjacent(b1, x));
            x = Vector256.Create(a[4]).AsInt16();
            c40 = Avx2.Add(c40, Avx2.MultiplyAddAdjacent(b0, x)); c41 = Avx2.Add(c41, Avx2.MultiplyAddAdjacent(b1, x));
            x = Vector256.Create(a[5]).AsInt16();
            c50 = Avx2.Add(c50, Avx2.MultiplyAddAdjacent(b0, x)); c51 = Avx2.Add(c51, Avx2.MultiplyAddAdjacent(b1, x));
            a += MR;
        }
        c00.Store(acc); c01.Store(acc + 8);
        c10.Store(acc + 16); c11.Store(acc + 24);
        c20.Store(acc + 32); c21.Store(acc + 40);
        c30.Store(acc + 48); c31.Store(acc + 56);
        c40.Store(acc + 64); c41.Store(acc + 72);
        c50.Store(acc + 80); c51.Store(acc + 88);
    }

    /// <summary>
    /// Half a panel (8 columns: the 16 bytes at <paramref name="b"/> of each 32-byte pair group) for 6 rows into
    /// acc[r·16 + 0..8) (12 xmm accumulators).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void Kernel6x8Sse2(int* a, sbyte* b, int kPairs, int* acc)
    {
        Vector128<int> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector128<int>.Zero;
        for (int kp = 0; kp < kPairs; kp++)
        {
            var raw = Vector128.Load(b);
            var b0 = Vector128.WidenLower(raw);
            var b1 = Vector128.WidenUpper(raw);
            b += 2 * NR;
            var x = Vector128.Create(a[0]).AsInt16();
            c00 = Sse2.Add(c00, Sse2.MultiplyAddAdjacent(b0, x)); c01 = Sse2.Add(c01, Sse2.MultiplyAddAdjacent(b1, x));
            x = Vector128.Create(a[1]).AsInt16();
            c10 = Sse2.Add(c10, Sse2.MultiplyAddAdjacent(b0, x)); c11 = Sse2.Add(c11, Sse2.MultiplyAddAdjacent(b1, x));
            x = Vector128.Create(a[2]).AsInt16();
            c20 = Sse2.Add(c20, Sse2.MultiplyAddAdjacent(b0, x)); c21 = Sse2.Add(c21, Sse2.MultiplyAddAdjacent(b1, x));
            x = Vector128.Create(a[3]).AsInt16();
            c30 = Sse2.Add(c30, Sse2.MultiplyAddAdjacent(b0, x)); c31 = Sse2.Add(c31, Sse2.MultiplyAddAdjacent(b1, x));
            x = Vector128.Create(a[4]).AsInt16();
            c40 = Sse2.Add(c40, Sse2.MultiplyAddAdjacent(b0, x)); c41 = Sse2.Add(c41, Sse2.MultiplyAddAdjacent(b1, x));
            x = Vector128.Create(a[5]).AsInt16();
            c50 = Sse2.Add(c50, Sse2.MultiplyAddAdjacent(b0, x)); c51 = Sse2.Add(c51, Sse2.MultiplyAddAdjacent(b1, x));
            a += MR;
        }
        c00.Store(acc); c01.Store(acc + 4);
        c10.Store(acc + 16); c11.Store(acc + 20);
        c20.Store(acc + 32); c21.Store(acc + 36);
        c30.Store(acc + 48); c31.Store(acc + 52);
        c40.Store(acc + 64); c41.Store(acc + 68);
        c50.Store(acc + 80); c51.Store(acc + 84);
    }

    static void KernelScalar(int* a, sbyte* b, int kPairs, int* acc)
    {
        new Span<int>(acc, MR * NR).Clear();
        for (int kp = 0; kp < kPairs; kp++, a += MR, b += 2 * NR)
        {
            for (int r = 0; r < MR; r++)
            {
                int lo = (short)a[r], hi = a[r] >> 16;
                for (int j = 0; j < NR; j++)
                    acc[r * NR + j] += lo * b[2 * j] + hi * b[2 * j + 1];
            }
        }
    }

    /// <summary>C[r, j] = (float)acc · (rowScale[r] · colScale[j]) + bias[j] + residual[r, j]: the one float epilogue (and <see cref="GemmInt8Naive"/>'s).</summary>
    static void Epilogue(int* acc, int rows, int cols, float* rowScales, float* colScales, float* bias, float* c, nint ldc, float* residual, nint ldr)
    {
        for (int r = 0; r < rows; r++)
        {
            int* ar = acc + r * NR;
            float* cr = c + r * ldc;
            float* rr = residual == null ? null : residual + r * ldr;
            int j = 0;
            if (Vector256.IsHardwareAccelerated && cols == NR)
            {
                var sa = Vector256.Create(rowScales[r]);
                for (; j < NR; j += 8)
                {
                    var y = Vector256.ConvertToSingle(Vector256.Load(ar + j)) * (sa * Vector256.Load(colScales + j));
                    if (bias != null) y += Vector256.Load(bias + j);
                    if (rr != null) y += Vector256.Load(rr + j);
                    y.Store(cr + j);
                }
            }
            for (; j < cols; j++)
                cr[j] = Dequantize(ar[j], rowScales[r], colScales[j], bias == null ? 0f : bias[j], rr == null ? 0f : rr[j], bias != null, rr != null);
        }
    }

    /// <summary>The scalar epilogue (shared with the naive twin): operations in the vector epilogue's order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dequantize(int acc, float rowScale, float colScale, float bias, float residual, bool hasBias, bool hasResidual)
    {
        float y = (float)acc * (rowScale * colScale);
        if (hasBias) y += bias;
        if (hasResidual) y += residual;
        return y;
    }

    /// <summary>Whole-matrix convenience over spans (single-threaded): quantizes A, then runs every panel.</summary>
    public static void Run(ReadOnlySpan<float> a, int m, QuantizedMatrix b, Span<float> c, ReadOnlySpan<float> bias = default,
        ReadOnlySpan<float> residual = default, Int8Kernel kernel = Int8Kernel.Auto)
    {
        int k = b.K, n = b.N;
        if (a.Length < (long)m * k) throw new ArgumentException("A is too small");
        if (c.Length < (long)m * n) throw new ArgumentException("C is too small");
        if (m <= 0) return;
        var packedA = GC.AllocateArray<int>(checked((int)PackedALength(m, k)), pinned: true);
        var scales = new float[m];
        var rowBuffer = new short[2 * b.KPairs];
        fixed (float* pa = a)
        fixed (int* ppa = packedA)
        fixed (float* ps = scales)
        fixed (short* prb = rowBuffer)
        fixed (sbyte* pb = b.Data)
        fixed (float* pcs = b.Scales)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        fixed (float* pres = residual)
        {
            QuantizeRows(pa, k, m, k, ppa, ps, 0, PaddedRows(m), prb);
            RunPacked(ppa, ps, m, b, pb, pcs, pc, n, 0, m, 0, b.Panels, bias.IsEmpty ? null : pbias, residual.IsEmpty ? null : pres, n, kernel);
        }
    }
}
