using System.Runtime.Intrinsics.X86;

namespace AlbertGen.Kernels;

/// <summary>
/// A right-hand GEMM operand packed once into column panels of <see cref="Gemm.NR"/> outputs: for panel p,
/// K consecutive groups of NR floats (k-major), zero-padded past N. The micro-kernel then streams one panel
/// with two aligned 256-bit loads per k. Built from an HF <c>nn.Linear</c> weight (out × in, "transposed"
/// layout) or from a row-major K × N matrix.
/// </summary>
internal sealed unsafe class PackedMatrix
{
    /// <summary>Outputs (columns of C).</summary>
    public int N { get; }
    /// <summary>Reduction length.</summary>
    public int K { get; }
    public int Panels => (N + Gemm.NR - 1) / Gemm.NR;
    readonly float[]? _storage; // pinned, Data starts at a 64-byte boundary inside it; null over a packed model image
    readonly float* _data;

    /// <summary>Panels × K × NR floats, 64-byte aligned: each k step of a panel is exactly one cache line.</summary>
    public Span<float> Data => new(_data, PackedLength(N, K));

    PackedMatrix(int n, int k)
    {
        N = n;
        K = k;
        _storage = AlignedFloats.Allocate(PackedLength(n, k), out int offset);
        _data = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _storage[offset]);
    }

    PackedMatrix(int n, int k, float* data)
    {
        N = n;
        K = k;
        _data = data;
    }

    /// <summary>
    /// Panels already in this layout at <paramref name="data"/> (a packed model image, D37): used in place, not copied.
    /// The caller keeps the memory alive for as long as the matrix is used. 64-byte alignment is faster (each k step one cache line); any address works, as the kernels' loads are unaligned ones.
    /// </summary>
    public static PackedMatrix Over(float* data, int n, int k)
    {
        if (n <= 0 || k <= 0)
            throw new ArgumentOutOfRangeException(nameof(n), $"a packed matrix needs positive sizes (found {n} × {k})");
        return new PackedMatrix(n, k, data);
    }

    public static int PackedLength(int n, int k) => (n + Gemm.NR - 1) / Gemm.NR * Gemm.NR * k;

    /// <summary>Packs an <c>nn.Linear</c> weight W (n × k, row stride <paramref name="rowStride"/>) so that C = A·Wᵀ.</summary>
    public static PackedMatrix FromLinearWeight(ReadOnlySpan<float> w, int n, int k, int rowStride = -1)
    {
        var packed = new PackedMatrix(n, k);
        PackTransposed(w, rowStride < 0 ? k : rowStride, n, k, packed.Data);
        return packed;
    }

    /// <summary>Packs several <c>nn.Linear</c> weights with the same input size as one matrix with their outputs concatenated (e.g. Q, K, V).</summary>
    public static PackedMatrix FromLinearWeights(int k, params ReadOnlyMemory<float>[] weights)
    {
        int n = 0;
        foreach (var w in weights) n += w.Length / k;
        var rows = new float[(long)n * k];
        int at = 0;
        foreach (var w in weights)
        {
            w.Span.CopyTo(rows.AsSpan(at));
            at += w.Length;
        }
        return FromLinearWeight(rows, n, k);
    }

    /// <summary>
    /// Packs B given as n rows of k (row stride <paramref name="rowStride"/>): dst[p][kk][j] = src[p·NR + j][kk]. With
    /// AVX, whole 8 × 8 blocks go through registers (eight row loads, a transpose, eight stores): attention packs Kₕ
    /// this way for every head (D46), and the load packs every weight.
    /// </summary>
    public static void PackTransposed(ReadOnlySpan<float> src, int rowStride, int n, int k, Span<float> dst)
    {
        if (!Avx.IsSupported || k < 8)
        {
            PackTransposedScalar(src, rowStride, n, k, dst);
            return;
        }
        const int nr = Gemm.NR;
        int panels = (n + nr - 1) / nr;
        if (src.Length < (long)(n - 1) * rowStride + k || dst.Length < (long)panels * k * nr)
            throw new ArgumentException($"PackTransposed: {n} × {k} (row stride {rowStride}) needs {(long)(n - 1) * rowStride + k} source and {(long)panels * k * nr} destination floats");
        fixed (float* s0 = src)
        fixed (float* d0 = dst)
        {
            for (int p = 0; p < panels; p++)
            {
                float* panel = d0 + (long)p * k * nr;
                int cols = Math.Min(nr, n - p * nr);
                if (cols < nr) new Span<float>(panel, k * nr).Clear();
                int j = 0;
                for (; j + 8 <= cols; j += 8)
                {
                    float* rows = s0 + (long)(p * nr + j) * rowStride;
                    int kk = 0;
                    for (; kk + 8 <= k; kk += 8)
                        Transpose8x8(rows + kk, rowStride, panel + kk * nr + j, nr);
                    for (; kk < k; kk++)
                    {
                        for (int jj = 0; jj < 8; jj++) panel[kk * nr + j + jj] = rows[(long)jj * rowStride + kk];
                    }
                }
                for (; j < cols; j++)
                {
                    float* row = s0 + (long)(p * nr + j) * rowStride;
                    for (int kk = 0; kk < k; kk++) panel[kk * nr + j] = row[kk];
                }
            }
        }
    }

    /// <summary>The element-by-element form (and the one without AVX); tests hold the AVX form to it.</summary>
    internal static void PackTransposedScalar(ReadOnlySpan<float> src, int rowStride, int n, int k, Span<float> dst)
    {
        const int nr = Gemm.NR;
        int panels = (n + nr - 1) / nr;
        for (int p = 0; p < panels; p++)
        {
            var panel = dst.Slice(p * k * nr, k * nr);
            int cols = Math.Min(nr, n - p * nr);
            if (cols < nr) panel.Clear();
            for (int j = 0; j < cols; j++)
            {
                var row = src.Slice((p * nr + j) * rowStride, k);
                for (int kk = 0; kk < k; kk++)
                    panel[kk * nr + j] = row[kk];
            }
        }
    }

    /// <summary>dst[c·dstStride + r] = src[r·srcStride + c] for an 8 × 8 block (unpack, shuffle, then 128-bit lane swaps).</summary>
    static void Transpose8x8(float* src, int srcStride, float* dst, int dstStride)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride);
        var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride);
        var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride);
        var r7 = Avx.LoadVector256(src + 7 * srcStride);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>Packs B given row-major as k rows of n (row stride <paramref name="rowStride"/>): dst[p][kk][j] = src[kk][p·NR + j].</summary>
    public static void PackRowMajor(ReadOnlySpan<float> src, int rowStride, int k, int n, Span<float> dst)
    {
        const int nr = Gemm.NR;
        int panels = (n + nr - 1) / nr;
        for (int p = 0; p < panels; p++)
        {
            var panel = dst.Slice(p * k * nr, k * nr);
            int cols = Math.Min(nr, n - p * nr);
            for (int kk = 0; kk < k; kk++)
            {
                var from = src.Slice(kk * rowStride + p * nr, cols);
                var to = panel.Slice(kk * nr, nr);
                from.CopyTo(to);
                if (cols < nr) to[cols..].Clear();
            }
        }
    }
}
