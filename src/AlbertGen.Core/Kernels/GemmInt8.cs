using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace AlbertGen.Kernels;

/// <summary>The int8 micro-kernel a GEMM runs; <see cref="Auto"/> picks the best this CPU has (tests force each).</summary>
internal enum Int8Kernel
{
    Auto,
    /// <summary>
    /// 6 × 16 over ymm registers with AVX-VNNI <c>vpdpbusd</c> (one µop per four products per lane: Intel since Alder
    /// Lake, AMD since Zen 5). Same layout and integers as <see cref="Avx2"/>.
    /// </summary>
    AvxVnni,
    /// <summary>6 × 16 over ymm registers: <c>vpmaddubsw</c> + <c>vpmaddwd</c> (by ones) + <c>vpaddd</c>.</summary>
    Avx2,
    /// <summary>
    /// 3 × 16 twice over ymm registers for weights of the reduced range (|q| ≤ <see cref="QuantizedMatrix.ReducedQMax"/>,
    /// D41): two quads' <c>vpmaddubsw</c> sums added in int16, then one <c>vpmaddwd</c> by ones — three multiply µops per
    /// 64 products per lane instead of four. <see cref="Int8Kernel.Auto"/> runs it on AVX2 without VNNI when the matrix allows.
    /// </summary>
    Avx2Pairs,
    /// <summary>6 × 8 over xmm registers (SSSE3 <c>pmaddubsw</c>), twice per panel: x86 without AVX2.</summary>
    Vector128,
    /// <summary>
    /// 6 × 16 over ARM64 NEON registers with <c>sdot</c> (ARMv8.2 dot product: Graviton 2+, Ampere, Apple, Cortex-A55/A76+;
    /// activations in [0, 127] are valid signed bytes): 24 accumulators, four B registers, one broadcast.
    /// </summary>
    ArmDot,
    /// <summary>Plain loops over the packed layout: CPUs without SSSE3 or the ARM64 dot product.</summary>
    Scalar,
}

/// <summary>
/// C (m × n) = dequant(quant(A) · Bᵀ) [+ bias] [+ residual] with B a <see cref="QuantizedMatrix"/> (docs/decisions.md
/// D35, D39). A is quantized per row at run time (dynamic and asymmetric, as ONNX Runtime's DynamicQuantizeLinear, but
/// per row and to 7 bits): the row's range is widened to include 0, scale = (max − min) / 127, zero point
/// zp = round-half-even(−min / scale), q = clamp(round-half-even(x / scale) + zp, 0, 127) — unsigned, so products go
/// through <c>pmaddubsw</c> (u8 × s8), and 7-bit, so its int16 pair sums (≤ 2 · 127 · 128) never saturate. A is packed
/// as byte quads in 6-row tiles (<see cref="QuantizeRows"/>). The kernels sum q · w exactly in int32 (K ≤
/// <see cref="QuantizedMatrix.MaxK"/>), the epilogue subtracts zp · Σₖ w (<see cref="QuantizedMatrix.ColumnSums"/>),
/// so every kernel produces Σₖ (q − zp) · w, the integer <see cref="GemmInt8Naive"/> computes, and all share one
/// float epilogue (<c>(float)acc · (scale_a[i] · scale_w[j]) + bias[j] + residual</c>, in that order): the results are
/// equal bit for bit. Single-threaded over a range of rows and panels: <c>Cpu/QuantizedGemmJob</c> splits the work.
/// </summary>
[SkipLocalsInit]
internal static unsafe class GemmInt8
{
    public const int MR = Gemm.MR; // the same row tiles as the float kernels (GemmPartition splits both alike)
    public const int NR = 16;

    /// <summary>Largest quantized activation (7 bits, unsigned).</summary>
    public const int ActivationMax = 127;

    /// <summary>The kernel <see cref="Int8Kernel.Auto"/> runs on this CPU.</summary>
    public static Int8Kernel Best => AvxVnni.IsSupported ? Int8Kernel.AvxVnni : Avx2.IsSupported ? Int8Kernel.Avx2 : Ssse3.IsSupported ? Int8Kernel.Vector128
        : Dp.IsSupported ? Int8Kernel.ArmDot : Int8Kernel.Scalar;

    /// <summary>
    /// The kernel <see cref="Int8Kernel.Auto"/> runs for <paramref name="b"/>: <see cref="Best"/>, or the AVX2 pair
    /// kernel in place of <see cref="Int8Kernel.Avx2"/> when b's weights are of the reduced range.
    /// </summary>
    public static Int8Kernel BestFor(QuantizedMatrix b) =>
        Best == Int8Kernel.Avx2 && b.IsReducedRange ? Int8Kernel.Avx2Pairs : Best;

    /// <summary>
    /// The largest weight magnitude <paramref name="kernel"/> multiplies exactly: <see cref="QuantizedMatrix.ReducedQMax"/>
    /// for the pair kernel (its int16 sums of four products, D41), <see cref="QuantizedMatrix.QMax"/> for the others.
    /// </summary>
    public static int WeightMaxFor(Int8Kernel kernel) =>
        kernel == Int8Kernel.Avx2Pairs ? QuantizedMatrix.ReducedQMax : QuantizedMatrix.QMax;

    /// <summary>Whether <paramref name="kernel"/> can run here.</summary>
    public static bool IsSupported(Int8Kernel kernel) => kernel switch
    {
        Int8Kernel.AvxVnni => AvxVnni.IsSupported,
        Int8Kernel.Avx2 or Int8Kernel.Avx2Pairs => Avx2.IsSupported,
        Int8Kernel.Vector128 => Ssse3.IsSupported,
        Int8Kernel.ArmDot => Dp.IsSupported,
        _ => true,
    };

    public static int PaddedRows(int m) => (m + MR - 1) / MR * MR;

    /// <summary>Ints of a packed A (one int = four activation bytes).</summary>
    public static long PackedALength(int m, int k) => (long)PaddedRows(m) * ((k + 3) / 4);

    /// <summary>
    /// Quantizes rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) (rowStart a multiple of MR) of A into
    /// <paramref name="packedA"/> (tile t at t·MR·kQuads ints, dst[kq·MR + r] = bytes q[r, 4kq … 4kq + 3]) and their
    /// scales and zero points. Padding rows of a last tile and the padding of K's last quad are zero.
    /// <paramref name="rowBuffer"/> holds at least 4·kQuads bytes.
    /// </summary>
    public static void QuantizeRows(float* a, int lda, int m, int k, int* packedA, float* rowScales, int* rowZeroPoints,
        int rowStart, int rowEnd, byte* rowBuffer)
    {
        int kQuads = (k + 3) / 4;
        for (int t = rowStart; t < rowEnd; t += MR)
        {
            int* tile = packedA + (long)t * kQuads;
            for (int r = 0; r < MR; r++)
            {
                int row = t + r;
                int* dst = tile + r;
                if (row >= m)
                {
                    for (int kq = 0; kq < kQuads; kq++) dst[kq * MR] = 0;
                    continue;
                }
                *(int*)(rowBuffer + 4 * kQuads - 4) = 0;
                rowScales[row] = QuantizeRow(a + (long)row * lda, k, rowBuffer, out rowZeroPoints[row]);
                int* quads = (int*)rowBuffer;
                for (int kq = 0; kq < kQuads; kq++) dst[kq * MR] = quads[kq];
            }
        }
    }

    /// <summary>
    /// One row: returns its scale ((max − min) / 127 over a range that includes 0; 0 for an all-zero row), its zero
    /// point, and writes k quantized values in [0, 127].
    /// </summary>
    public static float QuantizeRow(float* x, int k, byte* q, out int zeroPoint)
    {
        MinMax(x, k, out float min, out float max);
        if (max == min) // all zero (the range includes 0)
        {
            new Span<byte>(q, k).Clear();
            zeroPoint = 0;
            return 0;
        }
        float inv = ActivationMax / (max - min);
        float zp = QuantizeZeroPoint(min, inv);
        zeroPoint = (int)zp;
        int i = 0;
        if (Avx2.IsSupported) // explicit intrinsics: a NativeAOT build with an AVX baseline checks AVX2 at run time (D36)
        {
            var vinv = Avx.BroadcastScalarToVector256(&inv);
            var vzp = Avx.BroadcastScalarToVector256(&zp);
            float top = ActivationMax;
            var hi = Avx.BroadcastScalarToVector256(&top);
            var zero = Vector256<float>.Zero;
            Vector256<int> order;
            fixed (int* o = PackOrder) order = Avx.LoadVector256(o);
            for (; i + 32 <= k; i += 32)
            {
                var r0 = Quantize8(x + i, vinv, vzp, zero, hi);
                var r1 = Quantize8(x + i + 8, vinv, vzp, zero, hi);
                var r2 = Quantize8(x + i + 16, vinv, vzp, zero, hi);
                var r3 = Quantize8(x + i + 24, vinv, vzp, zero, hi);
                // packs work per 128-bit lane: bytes come out as groups of four in the order 0 2 4 6 1 3 5 7 (of eight
                // groups of four values); the permute puts them back in order. Values are in [0, 127]: no saturation.
                var bytes = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(r0, r1), Avx2.PackSignedSaturate(r2, r3));
                Avx.Store(q + i, Avx2.PermuteVar8x32(bytes.AsInt32(), order).AsByte());
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var vinv = Vector128.Create(inv);
            var vzp = Vector128.Create(zp);
            var hi = Vector128.Create((float)ActivationMax);
            for (; i + 16 <= k; i += 16)
            {
                var w0 = Vector128.Narrow(Quantize4(x + i, vinv, vzp, hi), Quantize4(x + i + 4, vinv, vzp, hi)).AsUInt16();
                var w1 = Vector128.Narrow(Quantize4(x + i + 8, vinv, vzp, hi), Quantize4(x + i + 12, vinv, vzp, hi)).AsUInt16();
                Vector128.Narrow(w0, w1).Store(q + i);
            }
        }
        for (; i < k; i++) q[i] = QuantizeScalar(x[i], inv, zp);
        return (max - min) / ActivationMax;
    }

    /// <summary>vpermd indices that put the eight 4-byte groups of a lane-wise pack back in order.</summary>
    static ReadOnlySpan<int> PackOrder => [0, 4, 1, 5, 2, 6, 3, 7];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> Quantize8(float* x, Vector256<float> inv, Vector256<float> zp, Vector256<float> zero, Vector256<float> hi) =>
        Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(Avx.Add(Avx.RoundToNearestInteger(Avx.Multiply(Avx.LoadVector256(x), inv)), zp), zero), hi));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<int> Quantize4(float* x, Vector128<float> inv, Vector128<float> zp, Vector128<float> hi) =>
        Vector128.ConvertToInt32(Vector128.Min(Vector128.Max(Vector128.Round(Vector128.Load(x) * inv) + zp, Vector128<float>.Zero), hi));

    /// <summary>zp = round-half-even(−min · inv) in [0, 127], as a float (the quantization adds it in float).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float QuantizeZeroPoint(float min, float inv) => Math.Min(Math.Max(MathF.Round(-min * inv), 0f), ActivationMax);

    /// <summary>The scalar quantization every path agrees with: clamp(round-half-even(x · inv) + zp, 0, 127).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte QuantizeScalar(float x, float inv, float zp) =>
        (byte)Math.Min(Math.Max(MathF.Round(x * inv) + zp, 0f), ActivationMax);

    /// <summary>min(0, min x) and max(0, max x) over the row.</summary>
    static void MinMax(float* x, int k, out float min, out float max)
    {
        int i = 0;
        min = 0;
        max = 0;
        if (Avx.IsSupported && k >= 8)
        {
            var lo = Vector256<float>.Zero;
            var hi = Vector256<float>.Zero;
            for (; i + 8 <= k; i += 8)
            {
                var v = Avx.LoadVector256(x + i);
                lo = Avx.Min(lo, v);
                hi = Avx.Max(hi, v);
            }
            float* l8 = stackalloc float[16];
            Avx.Store(l8, lo);
            Avx.Store(l8 + 8, hi);
            for (int l = 0; l < 8; l++)
            {
                min = Math.Min(min, l8[l]);
                max = Math.Max(max, l8[8 + l]);
            }
        }
        else if (Vector128.IsHardwareAccelerated && k >= 4)
        {
            var lo = Vector128<float>.Zero;
            var hi = Vector128<float>.Zero;
            for (; i + 4 <= k; i += 4)
            {
                var v = Vector128.Load(x + i);
                lo = Vector128.Min(lo, v);
                hi = Vector128.Max(hi, v);
            }
            for (int l = 0; l < 4; l++)
            {
                min = Math.Min(min, lo[l]);
                max = Math.Max(max, hi[l]);
            }
        }
        for (; i < k; i++)
        {
            min = Math.Min(min, x[i]);
            max = Math.Max(max, x[i]);
        }
    }

    /// <summary>
    /// C rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) (a multiple of MR), panels
    /// [<paramref name="panelStart"/>, <paramref name="panelEnd"/>), from A packed by <see cref="QuantizeRows"/>.
    /// </summary>
    public static void RunPacked(int* packedA, float* rowScales, int* rowZeroPoints, int m, QuantizedMatrix b, sbyte* packedB,
        float* colScales, int* colSums, float* c, int ldc, int rowStart, int rowEnd, int panelStart, int panelEnd,
        float* bias = null, float* residual = null, int ldr = 0, Int8Kernel kernel = Int8Kernel.Auto)
    {
        if (kernel == Int8Kernel.Auto) kernel = BestFor(b);
        if (!IsSupported(kernel)) throw new PlatformNotSupportedException($"the {kernel} int8 kernel needs an instruction set this CPU lacks");
        int weightMax = WeightMaxFor(kernel);
        if (b.MaxAbsWeight > weightMax)
            throw new ArgumentException($"the {kernel} int8 kernel needs weights in [−{weightMax}, {weightMax}]; this matrix reaches {b.MaxAbsWeight}");
        int kQuads = b.KQuads, n = b.N;
        int* acc = stackalloc int[MR * NR];
        for (int p = panelStart; p < panelEnd; p++)
        {
            sbyte* bp = packedB + (long)p * kQuads * 4 * NR;
            int col = p * NR, cols = Math.Min(NR, n - col);
            for (int row = rowStart; row < rowEnd; row += MR)
            {
                int* a = packedA + (long)row * kQuads;
                switch (kernel)
                {
                    case Int8Kernel.AvxVnni: Kernel6x16AvxVnni(a, bp, kQuads, acc); break;
                    case Int8Kernel.Avx2: Kernel6x16Avx2(a, bp, kQuads, acc); break;
                    case Int8Kernel.Avx2Pairs:
                        Kernel3x16Avx2Pairs(a, bp, kQuads, acc);
                        Kernel3x16Avx2Pairs(a + 3, bp, kQuads, acc + 3 * NR);
                        break;
                    case Int8Kernel.Vector128:
                        Kernel6x8Ssse3(a, bp, kQuads, acc);
                        Kernel6x8Ssse3(a, bp + 32, kQuads, acc + 8);
                        break;
                    case Int8Kernel.ArmDot: Kernel6x16ArmDot(a, bp, kQuads, acc); break;
                    default: KernelScalar(a, bp, kQuads, acc); break;
                }
                int rows = Math.Min(MR, rowEnd - row);
                Epilogue(acc, rows, cols, rowScales + row, rowZeroPoints + row, colScales + col, colSums + col, bias == null ? null : bias + col,
                    c + (long)row * ldc + col, ldc, residual == null ? null : residual + (long)row * ldr + col, ldr);
            }
        }
    }

    /// <summary>
    /// acc[r·16 + j] = Σ_kq Σ q·w over 6 rows × 16 columns: per quad, two 32-byte loads of B, a broadcast quad of A per
    /// row, <c>vpmaddubsw</c> then <c>vpmaddwd</c> by ones (12 ymm accumulators + 2 for B + ones + a temporary).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void Kernel6x16Avx2(int* a, sbyte* b, int kQuads, int* acc)
    {
        Vector256<int> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<int>.Zero;
        short one = 1;
        var ones = Avx2.BroadcastScalarToVector256(&one);
        for (int kq = 0; kq < kQuads; kq++)
        {
            var b0 = Avx.LoadAlignedVector256(b);
            var b1 = Avx.LoadAlignedVector256(b + 32);
            b += 4 * NR;
            var x = Avx2.BroadcastScalarToVector256(a + 0).AsByte();
            c00 = Avx2.Add(c00, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b0), ones));
            c01 = Avx2.Add(c01, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b1), ones));
            x = Avx2.BroadcastScalarToVector256(a + 1).AsByte();
            c10 = Avx2.Add(c10, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b0), ones));
            c11 = Avx2.Add(c11, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b1), ones));
            x = Avx2.BroadcastScalarToVector256(a + 2).AsByte();
            c20 = Avx2.Add(c20, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b0), ones));
            c21 = Avx2.Add(c21, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b1), ones));
            x = Avx2.BroadcastScalarToVector256(a + 3).AsByte();
            c30 = Avx2.Add(c30, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b0), ones));
            c31 = Avx2.Add(c31, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b1), ones));
            x = Avx2.BroadcastScalarToVector256(a + 4).AsByte();
            c40 = Avx2.Add(c40, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b0), ones));
            c41 = Avx2.Add(c41, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b1), ones));
            x = Avx2.BroadcastScalarToVector256(a + 5).AsByte();
            c50 = Avx2.Add(c50, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b0), ones));
            c51 = Avx2.Add(c51, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b1), ones));
            a += MR;
        }
        Avx.Store(acc, c00); Avx.Store(acc + 8, c01);
        Avx.Store(acc + 16, c10); Avx.Store(acc + 24, c11);
        Avx.Store(acc + 32, c20); Avx.Store(acc + 40, c21);
        Avx.Store(acc + 48, c30); Avx.Store(acc + 56, c31);
        Avx.Store(acc + 64, c40); Avx.Store(acc + 72, c41);
        Avx.Store(acc + 80, c50); Avx.Store(acc + 88, c51);
    }

    /// <summary>
    /// acc[r·16 + j] = Σ_kq Σ q·w over 3 rows (of a 6-row tile: <paramref name="a"/> points at its first) × 16 columns,
    /// for weights in [−64, 64]: per two quads, four 32-byte loads of B, two broadcast quads of A per row, and per row and
    /// half panel <c>vpmaddubsw</c> twice, <c>vpaddw</c> (|sum| ≤ 4 · 127 · 64 = 32 512: no wrap), <c>vpmaddwd</c> by
    /// ones, <c>vpaddd</c> (6 accumulators + 4 B + ones + 2 A + temporaries fit the 16 ymm registers). An odd last quad
    /// runs the one-quad step.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void Kernel3x16Avx2Pairs(int* a, sbyte* b, int kQuads, int* acc)
    {
        Vector256<int> c00, c01, c10, c11, c20, c21;
        c00 = c01 = c10 = c11 = c20 = c21 = Vector256<int>.Zero;
        short one = 1;
        var ones = Avx2.BroadcastScalarToVector256(&one);
        int pairs = kQuads >> 1;
        for (int p = 0; p < pairs; p++)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 32);
            var b2 = Avx.LoadVector256(b + 64);
            var b3 = Avx.LoadVector256(b + 96);
            b += 8 * NR;
            var x0 = Avx2.BroadcastScalarToVector256(a + 0).AsByte();
            var x1 = Avx2.BroadcastScalarToVector256(a + MR).AsByte();
            c00 = Avx2.Add(c00, Avx2.MultiplyAddAdjacent(Avx2.Add(Avx2.MultiplyAddAdjacent(x0, b0), Avx2.MultiplyAddAdjacent(x1, b2)), ones));
            c01 = Avx2.Add(c01, Avx2.MultiplyAddAdjacent(Avx2.Add(Avx2.MultiplyAddAdjacent(x0, b1), Avx2.MultiplyAddAdjacent(x1, b3)), ones));
            x0 = Avx2.BroadcastScalarToVector256(a + 1).AsByte();
            x1 = Avx2.BroadcastScalarToVector256(a + MR + 1).AsByte();
            c10 = Avx2.Add(c10, Avx2.MultiplyAddAdjacent(Avx2.Add(Avx2.MultiplyAddAdjacent(x0, b0), Avx2.MultiplyAddAdjacent(x1, b2)), ones));
            c11 = Avx2.Add(c11, Avx2.MultiplyAddAdjacent(Avx2.Add(Avx2.MultiplyAddAdjacent(x0, b1), Avx2.MultiplyAddAdjacent(x1, b3)), ones));
            x0 = Avx2.BroadcastScalarToVector256(a + 2).AsByte();
            x1 = Avx2.BroadcastScalarToVector256(a + MR + 2).AsByte();
            c20 = Avx2.Add(c20, Avx2.MultiplyAddAdjacent(Avx2.Add(Avx2.MultiplyAddAdjacent(x0, b0), Avx2.MultiplyAddAdjacent(x1, b2)), ones));
            c21 = Avx2.Add(c21, Avx2.MultiplyAddAdjacent(Avx2.Add(Avx2.MultiplyAddAdjacent(x0, b1), Avx2.MultiplyAddAdjacent(x1, b3)), ones));
            a += 2 * MR;
        }
        if ((kQuads & 1) != 0)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 32);
            var x = Avx2.BroadcastScalarToVector256(a + 0).AsByte();
            c00 = Avx2.Add(c00, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b0), ones));
            c01 = Avx2.Add(c01, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b1), ones));
            x = Avx2.BroadcastScalarToVector256(a + 1).AsByte();
            c10 = Avx2.Add(c10, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b0), ones));
            c11 = Avx2.Add(c11, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b1), ones));
            x = Avx2.BroadcastScalarToVector256(a + 2).AsByte();
            c20 = Avx2.Add(c20, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b0), ones));
            c21 = Avx2.Add(c21, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, b1), ones));
        }
        Avx.Store(acc, c00); Avx.Store(acc + 8, c01);
        Avx.Store(acc + 16, c10); Avx.Store(acc + 24, c11);
        Avx.Store(acc + 32, c20); Avx.Store(acc + 40, c21);
    }

    /// <summary>acc[r·16 + j] = Σ_kq Σ q·w over 6 rows × 16 columns with one <c>vpdpbusd</c> per row and half panel.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void Kernel6x16AvxVnni(int* a, sbyte* b, int kQuads, int* acc)
    {
        Vector256<int> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<int>.Zero;
        for (int kq = 0; kq < kQuads; kq++)
        {
            var b0 = Avx.LoadAlignedVector256(b);
            var b1 = Avx.LoadAlignedVector256(b + 32);
            b += 4 * NR;
            var x = Avx2.BroadcastScalarToVector256(a + 0).AsByte();
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, x, b0); c01 = AvxVnni.MultiplyWideningAndAdd(c01, x, b1);
            x = Avx2.BroadcastScalarToVector256(a + 1).AsByte();
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, x, b0); c11 = AvxVnni.MultiplyWideningAndAdd(c11, x, b1);
            x = Avx2.BroadcastScalarToVector256(a + 2).AsByte();
            c20 = AvxVnni.MultiplyWideningAndAdd(c20, x, b0); c21 = AvxVnni.MultiplyWideningAndAdd(c21, x, b1);
            x = Avx2.BroadcastScalarToVector256(a + 3).AsByte();
            c30 = AvxVnni.MultiplyWideningAndAdd(c30, x, b0); c31 = AvxVnni.MultiplyWideningAndAdd(c31, x, b1);
            x = Avx2.BroadcastScalarToVector256(a + 4).AsByte();
            c40 = AvxVnni.MultiplyWideningAndAdd(c40, x, b0); c41 = AvxVnni.MultiplyWideningAndAdd(c41, x, b1);
            x = Avx2.BroadcastScalarToVector256(a + 5).AsByte();
            c50 = AvxVnni.MultiplyWideningAndAdd(c50, x, b0); c51 = AvxVnni.MultiplyWideningAndAdd(c51, x, b1);
            a += MR;
        }
        Avx.Store(acc, c00); Avx.Store(acc + 8, c01);
        Avx.Store(acc + 16, c10); Avx.Store(acc + 24, c11);
        Avx.Store(acc + 32, c20); Avx.Store(acc + 40, c21);
        Avx.Store(acc + 48, c30); Avx.Store(acc + 56, c31);
        Avx.Store(acc + 64, c40); Avx.Store(acc + 72, c41);
        Avx.Store(acc + 80, c50); Avx.Store(acc + 88, c51);
    }

    /// <summary>
    /// Half a panel (8 columns: the 32 bytes at <paramref name="b"/> of each 64-byte quad group) for 6 rows into
    /// acc[r·16 + 0..8) (12 xmm accumulators, 2 for B, a temporary; the ones come from memory).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void Kernel6x8Ssse3(int* a, sbyte* b, int kQuads, int* acc)
    {
        Vector128<int> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector128<int>.Zero;
        var ones = Vector128.Create((short)1);
        for (int kq = 0; kq < kQuads; kq++)
        {
            var b0 = Sse2.LoadAlignedVector128(b);
            var b1 = Sse2.LoadAlignedVector128(b + 16);
            b += 4 * NR;
            var x = Vector128.Create(a[0]).AsByte();
            c00 = Sse2.Add(c00, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b0), ones));
            c01 = Sse2.Add(c01, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b1), ones));
            x = Vector128.Create(a[1]).AsByte();
            c10 = Sse2.Add(c10, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b0), ones));
            c11 = Sse2.Add(c11, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b1), ones));
            x = Vector128.Create(a[2]).AsByte();
            c20 = Sse2.Add(c20, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b0), ones));
            c21 = Sse2.Add(c21, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b1), ones));
            x = Vector128.Create(a[3]).AsByte();
            c30 = Sse2.Add(c30, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b0), ones));
            c31 = Sse2.Add(c31, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b1), ones));
            x = Vector128.Create(a[4]).AsByte();
            c40 = Sse2.Add(c40, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b0), ones));
            c41 = Sse2.Add(c41, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b1), ones));
            x = Vector128.Create(a[5]).AsByte();
            c50 = Sse2.Add(c50, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b0), ones));
            c51 = Sse2.Add(c51, Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(x, b1), ones));
            a += MR;
        }
        c00.Store(acc); c01.Store(acc + 4);
        c10.Store(acc + 16); c11.Store(acc + 20);
        c20.Store(acc + 32); c21.Store(acc + 36);
        c30.Store(acc + 48); c31.Store(acc + 52);
        c40.Store(acc + 64); c41.Store(acc + 68);
        c50.Store(acc + 80); c51.Store(acc + 84);
    }

    /// <summary>
    /// acc[r·16 + j] = Σ_kq Σ q·w over 6 rows × 16 columns: per quad four 16-byte loads of B (columns 0–3, 4–7, 8–11,
    /// 12–15), one broadcast quad of A per row and four <c>sdot</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void Kernel6x16ArmDot(int* a, sbyte* b, int kQuads, int* acc)
    {
        Vector128<int> c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23;
        Vector128<int> c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = Vector128<int>.Zero;
        c30 = c31 = c32 = c33 = c40 = c41 = c42 = c43 = c50 = c51 = c52 = c53 = Vector128<int>.Zero;
        for (int kq = 0; kq < kQuads; kq++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 16);
            var b2 = Vector128.Load(b + 32);
            var b3 = Vector128.Load(b + 48);
            b += 4 * NR;
            var x = Vector128.Create(a[0]).AsSByte();
            c00 = Dp.DotProduct(c00, x, b0); c01 = Dp.DotProduct(c01, x, b1); c02 = Dp.DotProduct(c02, x, b2); c03 = Dp.DotProduct(c03, x, b3);
            x = Vector128.Create(a[1]).AsSByte();
            c10 = Dp.DotProduct(c10, x, b0); c11 = Dp.DotProduct(c11, x, b1); c12 = Dp.DotProduct(c12, x, b2); c13 = Dp.DotProduct(c13, x, b3);
            x = Vector128.Create(a[2]).AsSByte();
            c20 = Dp.DotProduct(c20, x, b0); c21 = Dp.DotProduct(c21, x, b1); c22 = Dp.DotProduct(c22, x, b2); c23 = Dp.DotProduct(c23, x, b3);
            x = Vector128.Create(a[3]).AsSByte();
            c30 = Dp.DotProduct(c30, x, b0); c31 = Dp.DotProduct(c31, x, b1); c32 = Dp.DotProduct(c32, x, b2); c33 = Dp.DotProduct(c33, x, b3);
            x = Vector128.Create(a[4]).AsSByte();
            c40 = Dp.DotProduct(c40, x, b0); c41 = Dp.DotProduct(c41, x, b1); c42 = Dp.DotProduct(c42, x, b2); c43 = Dp.DotProduct(c43, x, b3);
            x = Vector128.Create(a[5]).AsSByte();
            c50 = Dp.DotProduct(c50, x, b0); c51 = Dp.DotProduct(c51, x, b1); c52 = Dp.DotProduct(c52, x, b2); c53 = Dp.DotProduct(c53, x, b3);
            a += MR;
        }
        c00.Store(acc); c01.Store(acc + 4); c02.Store(acc + 8); c03.Store(acc + 12);
        c10.Store(acc + 16); c11.Store(acc + 20); c12.Store(acc + 24); c13.Store(acc + 28);
        c20.Store(acc + 32); c21.Store(acc + 36); c22.Store(acc + 40); c23.Store(acc + 44);
        c30.Store(acc + 48); c31.Store(acc + 52); c32.Store(acc + 56); c33.Store(acc + 60);
        c40.Store(acc + 64); c41.Store(acc + 68); c42.Store(acc + 72); c43.Store(acc + 76);
        c50.Store(acc + 80); c51.Store(acc + 84); c52.Store(acc + 88); c53.Store(acc + 92);
    }

    static void KernelScalar(int* a, sbyte* b, int kQuads, int* acc)
    {
        new Span<int>(acc, MR * NR).Clear();
        for (int kq = 0; kq < kQuads; kq++, a += MR, b += 4 * NR)
        {
            for (int r = 0; r < MR; r++)
            {
                byte* x = (byte*)(a + r);
                for (int j = 0; j < NR; j++)
                {
                    sbyte* w = b + (j / 8) * 32 + (j % 8) * 4;
                    acc[r * NR + j] += x[0] * w[0] + x[1] * w[1] + x[2] * w[2] + x[3] * w[3];
                }
            }
        }
    }

    /// <summary>
    /// C[r, j] = (float)(acc − zp[r] · colSum[j]) · (rowScale[r] · colScale[j]) + bias[j] + residual[r, j]: the one
    /// float epilogue (and <see cref="GemmInt8Naive"/>'s). The int32 subtraction wraps like the naive twin's exact sum.
    /// </summary>
    static void Epilogue(int* acc, int rows, int cols, float* rowScales, int* rowZeroPoints, float* colScales, int* colSums, float* bias,
        float* c, nint ldc, float* residual, nint ldr)
    {
        for (int r = 0; r < rows; r++)
        {
            int* ar = acc + r * NR;
            float* cr = c + r * ldc;
            float* rr = residual == null ? null : residual + r * ldr;
            int zp = rowZeroPoints[r];
            int j = 0;
            if (Avx2.IsSupported && cols == NR) // explicit intrinsics (D36): AVX2 is a run-time check in NativeAOT
            {
                var sa = Avx.BroadcastScalarToVector256(rowScales + r);
                var vzp = Avx2.BroadcastScalarToVector256(&zp);
                for (; j < NR; j += 8)
                {
                    var sum = Avx2.Subtract(Avx.LoadVector256(ar + j), Avx2.MultiplyLow(vzp, Avx.LoadVector256(colSums + j)));
                    var y = Avx.Multiply(Avx.ConvertToVector256Single(sum), Avx.Multiply(sa, Avx.LoadVector256(colScales + j)));
                    if (bias != null) y = Avx.Add(y, Avx.LoadVector256(bias + j));
                    if (rr != null) y = Avx.Add(y, Avx.LoadVector256(rr + j));
                    Avx.Store(cr + j, y);
                }
            }
            for (; j < cols; j++)
                cr[j] = Dequantize(unchecked(ar[j] - zp * colSums[j]), rowScales[r], colScales[j], bias == null ? 0f : bias[j],
                    rr == null ? 0f : rr[j], bias != null, rr != null);
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
        var zeroPoints = new int[m];
        var rowBuffer = new byte[4 * b.KQuads];
        fixed (float* pa = a)
        fixed (int* ppa = packedA)
        fixed (float* ps = scales)
        fixed (int* pz = zeroPoints)
        fixed (byte* prb = rowBuffer)
        fixed (sbyte* pb = b.Data)
        fixed (float* pcs = b.Scales)
        fixed (int* psum = b.ColumnSums)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        fixed (float* pres = residual)
        {
            QuantizeRows(pa, k, m, k, ppa, ps, pz, 0, PaddedRows(m), prb);
            RunPacked(ppa, ps, pz, m, b, pb, pcs, psum, pc, n, 0, m, 0, b.Panels, bias.IsEmpty ? null : pbias, residual.IsEmpty ? null : pres, n, kernel);
        }
    }
}
