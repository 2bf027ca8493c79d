using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace AlbertGen.Kernels;

/// <summary>
/// C (m × n) = A (m × k, row-major) · B (packed, <see cref="PackedMatrix"/>) [+ bias] [+ residual].
/// Goto/BLIS-style: B is pre-packed in panels of NR = 16 columns and A per call in 6-row, k-major tiles
/// (<see cref="PackRows"/>). Kernel families on the same layouts, chosen at run time:
/// <list type="bullet">
/// <item>256-bit (AVX2 + FMA): a 6 × 16 micro-kernel per (row tile, panel) keeps 12 ymm accumulators (6 broadcasts +
/// 2 loads + 12 FMAs per k), as MLAS's SgemmKernelFma3 and BLIS's haswell kernel. Written in explicit Avx/Fma
/// intrinsics behind <c>Fma.IsSupported</c>, so a NativeAOT build for an AVX baseline picks it at run time (D36).</item>
/// <item>Vector512 (AVX-512, decisions D16, D18): pairs of panels are swept by <see cref="AccumulateWide512{T}"/>, 12 rows
/// × 32 columns in zmm accumulators (a lone last panel by <see cref="AccumulateTall512{T}"/>, up to 24 rows × 16),
/// B prefetched 2 KB ahead, bias and residual added in the store. The NativeAOT default (x86-64-v2 + AVX) keeps the
/// 256-bit kernel.</item>
/// <item>Vector128 (<see cref="Accumulate128"/>, D29): ARM64, and x64 without FMA.</item>
/// </list>
/// Row tails compute the padded rows of the last tile without storing them; column tails go through a small
/// buffer. Single-threaded over a range of panels (and rows, for <see cref="RunPacked"/>): callers split the work
/// across threads.
/// </summary>
[SkipLocalsInit]
internal static unsafe class Gemm
{
    public const int MR = 6;
    public const int NR = 16;
    /// <summary>
    /// Floats ahead of the current k step at which the AVX-512 kernels prefetch B (32 cache lines, 2 KB). The weights
    /// stream from DRAM when a panel is first used; the hardware prefetcher alone leaves the kernel stalled on that
    /// stream (M = 16: 1.15–1.41 ms → 0.84–0.98 ms for 768 × 3072 on one thread; 8, 16, 64, 128 and 256 lines measured worse).
    /// </summary>
    const int PrefetchAhead = 32 * NR;
    /// <summary>Rows of A per block (a block of packed A is reused from L2/L3 by every panel).</summary>
    public const int MC = 192;

    /// <summary>Up to this many rows A is packed by one task (a hand-off costs more than packing them).</summary>
    public const int SmallM = 48;

    [ThreadStatic] static float[]? t_packedA;
    [ThreadStatic] static int t_packedAOffset;

    /// <summary>
    /// Longest K block. K is split evenly into blocks of at most KC: a micro-panel (kc × 16 floats, 48 KB at
    /// K = 768) is read from L2 as well as L1, which costs less than re-loading and storing C once per short block.
    /// Measured on Zen 4, one thread, M = 128: AVX-512 kernels 98–107 GFLOP/s with 768–1536-long blocks against 84–100
    /// with 256; the Vector256 kernel 7.2–7.7 against 8.6–9.4 ms (768 × 3072) and 5.0–5.5 against 5.8–6.7 ms (768 × 2304).
    /// </summary>
    public const int KC = 1536;

    /// <summary>K block length for a reduction of <paramref name="k"/>: at most <see cref="KC"/>, blocks of equal length.</summary>
    public static int KBlock(int k)
    {
        int blocks = Math.Max(1, (k + KC - 1) / KC);
        return Math.Max(1, (k + blocks - 1) / blocks);
    }

    /// <summary>Rows rounded up to whole MR-row tiles.</summary>
    public static int PaddedRows(int m) => (m + MR - 1) / MR * MR;

    /// <summary>Floats of a fully packed A (<see cref="PackRows"/>).</summary>
    public static long PackedALength(int m, int k) => (long)PaddedRows(m) * k;

    /// <summary>Computes panels [<paramref name="panelStart"/>, <paramref name="panelEnd"/>) of C (packs A into a per-thread buffer first).</summary>
    /// <param name="bias">n floats added to every row, or null.</param>
    /// <param name="residual">m × n matrix (row stride <paramref name="ldr"/>) added to C, or null; must not alias C.</param>
    public static void Run(float* a, int lda, int m, float* packedB, int n, int k, float* c, int ldc,
        int panelStart, int panelEnd, float* bias = null, float* residual = null, int ldr = 0)
    {
        if (m <= 0 || panelEnd <= panelStart) return;
        int length = checked((int)PackedALength(m, k));
        var buffer = t_packedA;
        if (buffer is null || buffer.Length - t_packedAOffset < length)
            t_packedA = buffer = AlignedFloats.Allocate(length, out t_packedAOffset);
        fixed (float* packedABase = buffer)
        {
            float* packedA = packedABase + t_packedAOffset;
            PackRows(a, lda, m, k, packedA, 0, m);
            RunPacked(packedA, m, packedB, n, k, c, ldc, 0, m, panelStart, panelEnd, bias, residual, ldr);
        }
    }

    /// <summary>
    /// Packs rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) (rowStart a multiple of MR) of A (m × k) into
    /// <paramref name="dst"/> (<see cref="PackedALength"/> floats): for each K block of <see cref="KBlock"/> columns
    /// starting at k0, the block sits at PaddedRows(m)·k0 and row tile t at + t·MR·kc, k-major inside the tile
    /// (dst[kk·MR + r]) so the micro-kernel's six broadcasts read one contiguous line. The padding rows of a last,
    /// partial tile repeat its last row (finite values whose results are never stored). Disjoint row ranges can be
    /// packed in parallel.
    /// </summary>
    public static void PackRows(float* a, int lda, int m, int k, float* dst, int rowStart, int rowEnd)
    {
        int kBlock = KBlock(k), mPad = PaddedRows(m);
        for (int k0 = 0; k0 < k; k0 += kBlock)
        {
            int kc = Math.Min(kBlock, k - k0);
            float* block = dst + (long)mPad * k0;
            for (int t = rowStart; t < rowEnd; t += MR)
            {
                int last = Math.Min(MR, m - t) - 1;
                float* s0 = a + (long)t * lda + k0;
                float* s1 = s0 + Math.Min(1, last) * (long)lda, s2 = s0 + Math.Min(2, last) * (long)lda;
                float* s3 = s0 + Math.Min(3, last) * (long)lda, s4 = s0 + Math.Min(4, last) * (long)lda;
                float* s5 = s0 + Math.Min(5, last) * (long)lda;
                float* d = block + (long)t * kc;
                int kk = 0;
                if (Avx.IsSupported)
                {
                    // 8 columns at a time: transpose 6 rows × 8 into 8 × 6 (two zero rows pad the 8 × 8 transpose);
                    // each output row is stored as 8 floats and the next store overwrites its 2 spare lanes, so the
                    // last group of a tile stops one short and the scalar loop finishes it
                    for (; kk + 8 < kc; kk += 8, d += 8 * MR)
                        Transpose6x8(s0 + kk, s1 + kk, s2 + kk, s3 + kk, s4 + kk, s5 + kk, d);
                }
                for (; kk < kc; kk++, d += MR)
                {
                    d[0] = s0[kk]; d[1] = s1[kk]; d[2] = s2[kk]; d[3] = s3[kk]; d[4] = s4[kk]; d[5] = s5[kk];
                }
            }
        }
    }

    /// <summary>d[c·6 + r] = row r[c] for c in 0..7, r in 0..5; writes d[0 .. 50) (the last two are scratch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose6x8(float* r0, float* r1, float* r2, float* r3, float* r4, float* r5, float* d)
    {
        var a0 = Avx.LoadVector256(r0); var a1 = Avx.LoadVector256(r1); var a2 = Avx.LoadVector256(r2);
        var a3 = Avx.LoadVector256(r3); var a4 = Avx.LoadVector256(r4); var a5 = Avx.LoadVector256(r5);
        var a6 = Vector256<float>.Zero; var a7 = Vector256<float>.Zero;
        // classic AVX 8 × 8 transpose: unpack pairs, shuffle quads, swap 128-bit halves
        var t0 = Avx.UnpackLow(a0, a1); var t1 = Avx.UnpackHigh(a0, a1);
        var t2 = Avx.UnpackLow(a2, a3); var t3 = Avx.UnpackHigh(a2, a3);
        var t4 = Avx.UnpackLow(a4, a5); var t5 = Avx.UnpackHigh(a4, a5);
        var t6 = Avx.UnpackLow(a6, a7); var t7 = Avx.UnpackHigh(a6, a7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        // column c of the input = [u(c%4) low half, u(c%4 + 4) low half] for c < 4, high halves for c ≥ 4
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + 6, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 12, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + 18, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 24, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + 30, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 36, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + 42, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>
    /// C rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) (rowStart a multiple of MR), panels
    /// [<paramref name="panelStart"/>, <paramref name="panelEnd"/>), from A packed by <see cref="PackRows"/>. Loop order:
    /// K block → row block of MC → panel → row tile (Vector256), or panel pair → group of 1–2 row tiles (Vector512,
    /// <see cref="RunPacked512"/>).
    /// </summary>
    public static void RunPacked(float* packedA, int m, float* packedB, int n, int k, float* c, int ldc,
        int rowStart, int rowEnd, int panelStart, int panelEnd, float* bias = null, float* residual = null, int ldr = 0)
    {
        if (rowEnd <= rowStart || panelEnd <= panelStart) return;
        if (k == 0)
        {
            ZeroEpilogue(rowStart, rowEnd, n, c, ldc, panelStart, panelEnd, bias, residual, ldr);
            return;
        }
        int kBlock = KBlock(k), mPad = PaddedRows(m);
        for (int k0 = 0; k0 < k; k0 += kBlock)
        {
            int kc = Math.Min(kBlock, k - k0);
            bool first = k0 == 0, last = k0 + kc == k;
            float* block = packedA + (long)mPad * k0;
            for (int i0 = rowStart; i0 < rowEnd; i0 += MC)
            {
                int i1 = Math.Min(rowEnd, i0 + MC);
                if (Vector512.IsHardwareAccelerated)
                {
                    RunPacked512(block, kc, k0, k, first, last, i0, i1, packedB, n, c, ldc, panelStart, panelEnd, bias, residual, ldr);
                    continue;
                }
                for (int p = panelStart; p < panelEnd; p++)
                {
                    float* bp = packedB + (long)p * k * NR + (long)k0 * NR;
                    int col = p * NR;
                    int cols = Math.Min(NR, n - col);
                    float* biasP = bias == null ? null : bias + col;
                    for (int row = i0; row < i1; row += MR)
                    {
                        int rows = Math.Min(MR, i1 - row);
                        float* resP = residual == null ? null : residual + (long)row * ldr + col;
                        float* cP = c + (long)row * ldc + col;
                        // the second row tile prefetches the next panel's block into L2 (one line per k), so the next
                        // panel's first tile does not wait on memory (Zen 4, one thread, M = 16: 768 × 3072 1.4–1.8 →
                        // 1.0–1.1 ms)
                        float* pf = row - i0 == MR && p + 1 < panelEnd ? bp + (long)k * NR : null;
                        Kernel6x16(block + (long)row * kc, rows, bp, kc, cP, ldc, cols, first, last, biasP, resP, ldr, pf);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The AVX-512 path (D16, D18), one row block and K block. Panel pairs go through <see cref="AccumulateWide512{T}"/>
    /// in groups of one or two row tiles (12 rows × 32 columns in 24 zmm accumulators: 2 B loads and 12 broadcasts per
    /// 24 FMAs); a lone last panel goes through <see cref="AccumulateTall512{T}"/> (up to 24 rows × 16 columns), and a
    /// partial last panel (n not a multiple of 16) through the 6 × 16 kernel with its edge buffer. Bias and residual are
    /// added as the last K block's tiles are stored.
    /// </summary>
    static void RunPacked512(float* block, int kc, int k0, int k, bool first, bool last, int i0, int i1, float* packedB, int n,
        float* c, int ldc, int panelStart, int panelEnd, float* bias, float* residual, int ldr)
    {
        float* tileBias = last ? bias : null, tileResidual = last ? residual : null;
        for (int p = panelStart; p < panelEnd; p++)
        {
            float* bp = packedB + (long)p * k * NR + (long)k0 * NR;
            int col = p * NR;
            int cols = Math.Min(NR, n - col);
            if (p + 1 < panelEnd && col + 2 * NR <= n)
            {
                // a pair of full panels
                float* bpNext = bp + (long)k * NR;
                for (int row = i0; row < i1; row += 2 * MR)
                {
                    int rows = Math.Min(2 * MR, i1 - row);
                    AccumulateWide512(block + (long)row * kc, (nint)MR * kc, bp, bpNext, kc, c + (long)row * ldc + col, ldc, rows, !first,
                        tileBias == null ? null : tileBias + col,
                        tileResidual == null ? null : tileResidual + (long)row * ldr + col, ldr);
                }
                p++;
                continue;
            }
            float* biasP = bias == null ? null : bias + col;
            int r0 = i0;
            while (r0 < i1)
            {
                int tiles = (i1 - r0 + MR - 1) / MR;
                int group = tiles is 5 or 6 ? 3 : Math.Min(4, tiles);
                int rows = Math.Min(group * MR, i1 - r0);
                float* cP = c + (long)r0 * ldc + col;
                float* resP = residual == null ? null : residual + (long)r0 * ldr + col;
                float* a = block + (long)r0 * kc;
                if (cols < NR || group < 2)
                {
                    for (int r = 0; r < rows; r += MR)
                        Kernel6x16(a + (long)r * kc, Math.Min(MR, rows - r), bp, kc, cP + (long)r * ldc, ldc, cols, first, last, biasP,
                            resP == null ? null : resP + (long)r * ldr, ldr);
                }
                else
                {
                    AccumulateTall512(a, (nint)MR * kc, bp, kc, cP, ldc, rows, !first, last ? biasP : null, last ? resP : null, ldr);
                }
                r0 += rows;
            }
        }
    }

    /// <summary>A kernel's row shape (all three kernel families): <see cref="Tiles"/> row tiles, of which the last computes
    /// only its first <see cref="LastRows"/> rows (2, 4 or 6: m = 16 is 6 + 6 + 4 rows, not 18).</summary>
    interface ITileCount
    {
        static abstract int Tiles { get; }
        static abstract int LastRows { get; }
    }
    struct Tiles1 : ITileCount { public static int Tiles => 1; public static int LastRows => 6; }
    struct Tiles1Last4 : ITileCount { public static int Tiles => 1; public static int LastRows => 4; }
    struct Tiles1Last2 : ITileCount { public static int Tiles => 1; public static int LastRows => 2; }
    struct Tiles2 : ITileCount { public static int Tiles => 2; public static int LastRows => 6; }
    struct Tiles2Last4 : ITileCount { public static int Tiles => 2; public static int LastRows => 4; }
    struct Tiles2Last2 : ITileCount { public static int Tiles => 2; public static int LastRows => 2; }
    struct Tiles3 : ITileCount { public static int Tiles => 3; public static int LastRows => 6; }
    struct Tiles3Last4 : ITileCount { public static int Tiles => 3; public static int LastRows => 4; }
    struct Tiles3Last2 : ITileCount { public static int Tiles => 3; public static int LastRows => 2; }
    struct Tiles4 : ITileCount { public static int Tiles => 4; public static int LastRows => 6; }
    struct Tiles4Last4 : ITileCount { public static int Tiles => 4; public static int LastRows => 4; }
    struct Tiles4Last2 : ITileCount { public static int Tiles => 4; public static int LastRows => 2; }

    /// <summary>
    /// The <see cref="ITileCount"/> a group of <paramref name="rows"/> valid rows takes, as tiles · 8 + LastRows / 2:
    /// ⌈rows / 6⌉ tiles, the last computing its valid rows rounded up to 2, 4 or 6. The kernels' dispatchers switch on it.
    /// </summary>
    static int TileShape(int rows)
    {
        int tiles = (rows + MR - 1) / MR;
        int lastRows = rows - (tiles - 1) * MR; // 1 … 6
        return tiles * 8 + (lastRows + 1) / 2;
    }

    /// <summary>Whether row <paramref name="row"/> of tile <paramref name="tile"/> is computed (folds to a constant per T).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Live<T>(int tile, int row) where T : struct, ITileCount =>
        tile < T.Tiles && (tile < T.Tiles - 1 || row < T.LastRows);

    /// <summary>The tall kernel for <paramref name="rows"/> (7–24) valid rows of two to four row tiles.</summary>
    static void AccumulateTall512(float* a, nint tileStride, float* b, int kc, float* c, nint ldc, int rows, bool load,
        float* bias, float* residual, nint ldr)
    {
        switch (TileShape(rows))
        {
            case 2 * 8 + 1: AccumulateTall512<Tiles2Last2>(a, tileStride, b, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 2 * 8 + 2: AccumulateTall512<Tiles2Last4>(a, tileStride, b, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 2 * 8 + 3: AccumulateTall512<Tiles2>(a, tileStride, b, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 3 * 8 + 1: AccumulateTall512<Tiles3Last2>(a, tileStride, b, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 3 * 8 + 2: AccumulateTall512<Tiles3Last4>(a, tileStride, b, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 3 * 8 + 3: AccumulateTall512<Tiles3>(a, tileStride, b, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 4 * 8 + 1: AccumulateTall512<Tiles4Last2>(a, tileStride, b, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 4 * 8 + 2: AccumulateTall512<Tiles4Last4>(a, tileStride, b, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 4 * 8 + 3: AccumulateTall512<Tiles4>(a, tileStride, b, kc, c, ldc, rows, load, bias, residual, ldr); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    /// <summary>
    /// C (rows × 16, rows ≤ 6·T) = A (T consecutive packed 6-row tiles, <paramref name="tileStride"/> floats apart) · B
    /// micro-panel (kc × 16): 6·T zmm accumulators, per k one B load, 6·T broadcasts and FMAs. T is a type argument so
    /// the JIT compiles one straight-line kernel per tile count. Rows past <paramref name="rows"/> are computed from
    /// the packed tile's padding rows (copies of its last row) and not stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void AccumulateTall512<T>(float* a, nint tileStride, float* b, int kc, float* c, nint ldc, int rows, bool load,
        float* bias, float* residual, nint ldr) where T : struct, ITileCount
    {
        Vector512<float> c00, c01, c02, c03, c04, c05, c10, c11, c12, c13, c14, c15;
        Vector512<float> c20, c21, c22, c23, c24, c25, c30, c31, c32, c33, c34, c35;
        c00 = c01 = c02 = c03 = c04 = c05 = c10 = c11 = c12 = c13 = c14 = c15 = Vector512<float>.Zero;
        c20 = c21 = c22 = c23 = c24 = c25 = c30 = c31 = c32 = c33 = c34 = c35 = Vector512<float>.Zero;
        float* a1 = a + tileStride, a2 = a1 + tileStride, a3 = a2 + tileStride;
        for (int kk = 0; kk < kc; kk++)
        {
            var bv = Vector512.Load(b);
            if (Sse.IsSupported) Sse.Prefetch0(b + PrefetchAhead);
            b += NR;
            c00 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), bv, c00);
            c01 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), bv, c01);
            if (Live<T>(0, 2)) c02 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), bv, c02);
            if (Live<T>(0, 3)) c03 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), bv, c03);
            if (Live<T>(0, 4)) c04 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), bv, c04);
            if (Live<T>(0, 5)) c05 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), bv, c05);
            if (Live<T>(1, 0)) c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[0]), bv, c10);
            if (Live<T>(1, 1)) c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[1]), bv, c11);
            if (Live<T>(1, 2)) c12 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[2]), bv, c12);
            if (Live<T>(1, 3)) c13 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[3]), bv, c13);
            if (Live<T>(1, 4)) c14 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[4]), bv, c14);
            if (Live<T>(1, 5)) c15 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[5]), bv, c15);
            if (Live<T>(2, 0)) c20 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[0]), bv, c20);
            if (Live<T>(2, 1)) c21 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[1]), bv, c21);
            if (Live<T>(2, 2)) c22 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[2]), bv, c22);
            if (Live<T>(2, 3)) c23 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[3]), bv, c23);
            if (Live<T>(2, 4)) c24 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[4]), bv, c24);
            if (Live<T>(2, 5)) c25 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[5]), bv, c25);
            if (Live<T>(3, 0)) c30 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[0]), bv, c30);
            if (Live<T>(3, 1)) c31 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[1]), bv, c31);
            if (Live<T>(3, 2)) c32 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[2]), bv, c32);
            if (Live<T>(3, 3)) c33 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[3]), bv, c33);
            if (Live<T>(3, 4)) c34 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[4]), bv, c34);
            if (Live<T>(3, 5)) c35 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[5]), bv, c35);
            a += MR; a1 += MR; a2 += MR; a3 += MR;
        }
        var biasV = bias == null ? Vector512<float>.Zero : Vector512.Load(bias);
        StoreRows(c, ldc, rows, load, biasV, residual, ldr, c00, c01, c02, c03, c04, c05);
        StoreRows(c + 6 * ldc, ldc, rows - 6, load, biasV, residual == null ? null : residual + 6 * ldr, ldr, c10, c11, c12, c13, c14, c15);
        if (T.Tiles > 2)
            StoreRows(c + 12 * ldc, ldc, rows - 12, load, biasV, residual == null ? null : residual + 12 * ldr, ldr, c20, c21, c22, c23, c24, c25);
        if (T.Tiles > 3)
            StoreRows(c + 18 * ldc, ldc, rows - 18, load, biasV, residual == null ? null : residual + 18 * ldr, ldr, c30, c31, c32, c33, c34, c35);
    }

    /// <summary>
    /// Stores the first <paramref name="rows"/> (≤ 6) of six accumulator rows: [C +] acc + bias [+ residual], in the order
    /// the separate <see cref="Epilogue"/> adds them (bias is zero when there is none).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreRows(float* c, nint ldc, int rows, bool add, Vector512<float> bias, float* residual, nint ldr,
        Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3, Vector512<float> r4, Vector512<float> r5)
    {
        if (rows <= 0) return;
        StoreRow(c, add, bias, residual, r0);
        if (rows > 1) StoreRow(c + ldc, add, bias, residual == null ? null : residual + ldr, r1);
        if (rows > 2) StoreRow(c + 2 * ldc, add, bias, residual == null ? null : residual + 2 * ldr, r2);
        if (rows > 3) StoreRow(c + 3 * ldc, add, bias, residual == null ? null : residual + 3 * ldr, r3);
        if (rows > 4) StoreRow(c + 4 * ldc, add, bias, residual == null ? null : residual + 4 * ldr, r4);
        if (rows > 5) StoreRow(c + 5 * ldc, add, bias, residual == null ? null : residual + 5 * ldr, r5);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreRow(float* c, bool add, Vector512<float> bias, float* residual, Vector512<float> r)
    {
        if (add) r = Vector512.Load(c) + r;
        r += bias;
        if (residual != null) r += Vector512.Load(residual);
        r.Store(c);
    }

    /// <summary>
    /// One 6 × 16 tile (1–6 rows) for one K block. Tiles with all 16 columns accumulate straight into C (zero-initialised
    /// on the first block), adding bias and residual as the last block is stored; column-edge tiles go through a stack
    /// tile.
    /// </summary>
    static void Kernel6x16(float* packedA, int rows, float* b, int kc, float* c, int ldc, int cols,
        bool first, bool last, float* bias, float* residual, int ldr, float* prefetch = null)
    {
        if (cols == NR)
        {
            Accumulate(rows, packedA, b, kc, c, ldc, load: !first, prefetch == null ? b : prefetch,
                last ? bias : null, last ? residual : null, ldr);
            return;
        }
        float* tile = stackalloc float[MR * NR];
        new Span<float>(tile, MR * NR).Clear();
        if (!first)
        {
            for (int r = 0; r < rows; r++)
                new ReadOnlySpan<float>(c + (long)r * ldc, cols).CopyTo(new Span<float>(tile + r * NR, NR));
        }
        Accumulate(MR, packedA, b, kc, tile, NR, load: true, b, null, null, 0);
        if (last)
            Epilogue(tile, NR, rows, cols, bias, residual, ldr);
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<float>(tile + r * NR, cols).CopyTo(new Span<float>(c + (long)r * ldc, cols));
    }

    /// <summary>Adds bias and residual to a column-edge tile (fewer than 16 columns; full-width tiles add them in the
    /// kernels' stores).</summary>
    static void Epilogue(float* c, int ldc, int rows, int cols, float* bias, float* residual, int ldr)
    {
        for (int r = 0; r < rows; r++)
        {
            var t = new Span<float>(c + (long)r * ldc, cols);
            if (bias != null)
                System.Numerics.Tensors.TensorPrimitives.Add(t, new ReadOnlySpan<float>(bias, cols), t);
            if (residual != null)
                System.Numerics.Tensors.TensorPrimitives.Add(t, new ReadOnlySpan<float>(residual + (long)r * ldr, cols), t);
        }
    }

    /// <summary>
    /// The 6 × 16 micro-kernel for <paramref name="rows"/> (1–6) valid rows: computes 2, 4 or 6. The AVX2 + FMA kernel
    /// (<see cref="Accumulate{T}"/>) where FMA is supported, else the Vector128 family (<see cref="Accumulate128"/>;
    /// emulated where no vector width is accelerated).
    /// </summary>
    static void Accumulate(int rows, float* a, float* b, int kc, float* c, nint ldc, bool load, float* prefetch,
        float* bias, float* residual, nint ldr)
    {
        // Fma.IsSupported: a constant under the JIT, a run-time check in a NativeAOT build for the package's default
        // baseline (x86-64-v2 + AVX, D36), where Vector256.IsHardwareAccelerated is false but this kernel runs at full speed
        if (Fma.IsSupported)
            Accumulate256(rows, a, b, kc, c, ldc, load, prefetch, bias, residual, ldr);
        else
            Accumulate128(rows, a, b, kc, c, ldc, load, prefetch, bias, residual, ldr, wide: AdvSimd.Arm64.IsSupported);
    }

    /// <summary>The AVX2 + FMA 6 × 16 kernel for <paramref name="rows"/> (1–6) valid rows; callers check <see cref="Fma.IsSupported"/>.</summary>
    internal static void Accumulate256(int rows, float* a, float* b, int kc, float* c, nint ldc, bool load, float* prefetch,
        float* bias, float* residual, nint ldr)
    {
        if (!Fma.IsSupported) throw new PlatformNotSupportedException("the 256-bit GEMM kernel needs FMA");
        switch (TileShape(rows))
        {
            case 1 * 8 + 1: Accumulate<Tiles1Last2>(a, b, kc, c, ldc, rows, load, prefetch, bias, residual, ldr); break;
            case 1 * 8 + 2: Accumulate<Tiles1Last4>(a, b, kc, c, ldc, rows, load, prefetch, bias, residual, ldr); break;
            case 1 * 8 + 3: Accumulate<Tiles1>(a, b, kc, c, ldc, rows, load, prefetch, bias, residual, ldr); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    /// <summary>
    /// The micro-kernel: C (rows × 16, row stride <paramref name="ldc"/>) = [C +] A (packed 6-row tile, kc columns) ·
    /// B micro-panel (kc × 16). Twelve ymm accumulators stay in registers: per k, two B loads, six broadcasts,
    /// twelve FMAs (MLAS's SgemmKernelFma3 / BLIS haswell layout). A is pre-packed (<see cref="PackRows"/>) so the six
    /// broadcasts read one contiguous line; kept small and separate so the JIT keeps everything in registers. T's
    /// LastRows (2, 4, 6) rows are computed (a short last tile does not pay for six: m = 16 is 6 + 6 + 4) and the first
    /// <paramref name="rows"/> loaded and stored; bias (16 floats) and residual are added in the store.
    /// <paramref name="prefetch"/> advances one cache line per k and is prefetched into L2 (the next panel's block, or
    /// <paramref name="b"/> itself when there is nothing to fetch).
    /// Written in explicit <c>Avx</c>/<c>Fma</c> intrinsics, not <c>Vector256</c> operators (D36): under the JIT both
    /// compile to the same instructions, but a NativeAOT build for an AVX baseline treats FMA as a run-time check and
    /// keeps <c>Vector256</c> operators emulated even behind <c>Fma.IsSupported</c> (559 against 4.5 ms, D29); explicit
    /// intrinsics compile to vbroadcastss / vfmadd231ps there too. Only called where <c>Fma.IsSupported</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void Accumulate<T>(float* a, float* b, int kc, float* c, nint ldc, int rows, bool load, float* prefetch,
        float* bias, float* residual, nint ldr) where T : struct, ITileCount
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        if (load)
        {
            c00 = Avx.LoadVector256(c); c01 = Avx.LoadVector256(c + 8);
            if (rows > 1) { c10 = Avx.LoadVector256(c + ldc); c11 = Avx.LoadVector256(c + ldc + 8); }
            if (rows > 2) { c20 = Avx.LoadVector256(c + 2 * ldc); c21 = Avx.LoadVector256(c + 2 * ldc + 8); }
            if (rows > 3) { c30 = Avx.LoadVector256(c + 3 * ldc); c31 = Avx.LoadVector256(c + 3 * ldc + 8); }
            if (rows > 4) { c40 = Avx.LoadVector256(c + 4 * ldc); c41 = Avx.LoadVector256(c + 4 * ldc + 8); }
            if (rows > 5) { c50 = Avx.LoadVector256(c + 5 * ldc); c51 = Avx.LoadVector256(c + 5 * ldc + 8); }
        }
        for (int kk = 0; kk < kc; kk++)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            Sse.Prefetch1(prefetch);
            prefetch += NR;
            b += NR;
            var x = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
            if (Live<T>(0, 2)) { x = Avx.BroadcastScalarToVector256(a + 2); c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21); }
            if (Live<T>(0, 3)) { x = Avx.BroadcastScalarToVector256(a + 3); c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31); }
            if (Live<T>(0, 4)) { x = Avx.BroadcastScalarToVector256(a + 4); c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41); }
            if (Live<T>(0, 5)) { x = Avx.BroadcastScalarToVector256(a + 5); c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51); }
            a += MR;
        }
        // bias and residual are added in the store, in the order the separate Epilogue adds them
        var bias0 = bias == null ? Vector256<float>.Zero : Avx.LoadVector256(bias);
        var bias1 = bias == null ? Vector256<float>.Zero : Avx.LoadVector256(bias + 8);
        StoreRow(c, bias0, bias1, residual, c00, c01);
        if (rows > 1) StoreRow(c + ldc, bias0, bias1, residual == null ? null : residual + ldr, c10, c11);
        if (rows > 2) StoreRow(c + 2 * ldc, bias0, bias1, residual == null ? null : residual + 2 * ldr, c20, c21);
        if (rows > 3) StoreRow(c + 3 * ldc, bias0, bias1, residual == null ? null : residual + 3 * ldr, c30, c31);
        if (rows > 4) StoreRow(c + 4 * ldc, bias0, bias1, residual == null ? null : residual + 4 * ldr, c40, c41);
        if (rows > 5) StoreRow(c + 5 * ldc, bias0, bias1, residual == null ? null : residual + 5 * ldr, c50, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreRow(float* c, Vector256<float> bias0, Vector256<float> bias1, float* residual, Vector256<float> r0, Vector256<float> r1)
    {
        r0 = Avx.Add(r0, bias0);
        r1 = Avx.Add(r1, bias1);
        if (residual != null)
        {
            r0 = Avx.Add(r0, Avx.LoadVector256(residual));
            r1 = Avx.Add(r1, Avx.LoadVector256(residual + 8));
        }
        Avx.Store(c, r0);
        Avx.Store(c + 8, r1);
    }

    /// <summary>
    /// The Vector128 family (decision D29): ARM64 NEON, and x64 where AVX2 is not accelerated (SSE/AVX-only CPUs,
    /// <c>DOTNET_EnableAVX2=0</c>, a NativeAOT build for the x86-64-v2 baseline). Same packed layouts as the Vector256
    /// kernel (6-row A tiles, 16-column B panels), so packed weights do not depend on the ISA. With 32 vector registers
    /// (ARM64) one pass computes 6 × 16 in 24 accumulators (4 B loads, 6 broadcasts, 24 multiply-adds per k); with 16
    /// (x64 xmm) two passes of 6 × 8 (12 accumulators, 2 B loads) cover the panel, each reading A again from L1.
    /// <paramref name="wide"/> picks the one-pass form (the caller passes <c>AdvSimd.Arm64.IsSupported</c>; tests run
    /// both on any Vector128 machine).
    /// </summary>
    internal static void Accumulate128(int rows, float* a, float* b, int kc, float* c, nint ldc, bool load, float* prefetch,
        float* bias, float* residual, nint ldr, bool wide)
    {
        if (wide)
        {
            switch (TileShape(rows))
            {
                case 1 * 8 + 1: Accumulate128<Tiles1Last2, Columns16>(a, b, kc, c, ldc, rows, load, prefetch, bias, residual, ldr); break;
                case 1 * 8 + 2: Accumulate128<Tiles1Last4, Columns16>(a, b, kc, c, ldc, rows, load, prefetch, bias, residual, ldr); break;
                case 1 * 8 + 3: Accumulate128<Tiles1, Columns16>(a, b, kc, c, ldc, rows, load, prefetch, bias, residual, ldr); break;
                default: throw new ArgumentOutOfRangeException(nameof(rows));
            }
            return;
        }
        for (int half = 0; half < NR; half += 8)
        {
            float* biasH = bias == null ? null : bias + half, resH = residual == null ? null : residual + half;
            float* pf = half == 0 ? prefetch : b;
            switch (TileShape(rows))
            {
                case 1 * 8 + 1: Accumulate128<Tiles1Last2, Columns8>(a, b + half, kc, c + half, ldc, rows, load, pf, biasH, resH, ldr); break;
                case 1 * 8 + 2: Accumulate128<Tiles1Last4, Columns8>(a, b + half, kc, c + half, ldc, rows, load, pf, biasH, resH, ldr); break;
                case 1 * 8 + 3: Accumulate128<Tiles1, Columns8>(a, b + half, kc, c + half, ldc, rows, load, pf, biasH, resH, ldr); break;
                default: throw new ArgumentOutOfRangeException(nameof(rows));
            }
        }
    }

    /// <summary>Vector128 columns per kernel pass: 4 (16 columns) or 2 (8 columns, half a panel).</summary>
    interface IColumnVectors { static abstract int Count { get; } }
    struct Columns16 : IColumnVectors { public static int Count => 4; }
    struct Columns8 : IColumnVectors { public static int Count => 2; }

    /// <summary>
    /// The Vector128 micro-kernel: C (rows × 4·W, row stride <paramref name="ldc"/>) = [C +] A (packed 6-row tile) · B
    /// (kc × 4·W at row stride 16). T's LastRows rows are computed, the first <paramref name="rows"/> stored with bias and
    /// residual, as in the Vector256 kernel. Multiply-adds are <c>MultiplyAddEstimate</c>: one fused instruction on
    /// ARM64 and on x64 with FMA, a multiply and an add without it (x64 without AVX2 has no FMA in .NET 10, and
    /// <c>FusedMultiplyAdd</c> would then be emulated per element).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void Accumulate128<T, W>(float* a, float* b, int kc, float* c, nint ldc, int rows, bool load, float* prefetch,
        float* bias, float* residual, nint ldr) where T : struct, ITileCount where W : struct, IColumnVectors
    {
        Vector128<float> c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = c40 = c41 = c42 = c43 = c50 = c51 = c52 = c53 = Vector128<float>.Zero;
        if (load)
        {
            { c00 = Vector128.Load(c); c01 = Vector128.Load(c + 4); if (W.Count > 2) { c02 = Vector128.Load(c + 8); c03 = Vector128.Load(c + 12); } }
            if (rows > 1) { c10 = Vector128.Load(c + ldc); c11 = Vector128.Load(c + ldc + 4); if (W.Count > 2) { c12 = Vector128.Load(c + ldc + 8); c13 = Vector128.Load(c + ldc + 12); } }
            if (rows > 2) { c20 = Vector128.Load(c + 2 * ldc); c21 = Vector128.Load(c + 2 * ldc + 4); if (W.Count > 2) { c22 = Vector128.Load(c + 2 * ldc + 8); c23 = Vector128.Load(c + 2 * ldc + 12); } }
            if (rows > 3) { c30 = Vector128.Load(c + 3 * ldc); c31 = Vector128.Load(c + 3 * ldc + 4); if (W.Count > 2) { c32 = Vector128.Load(c + 3 * ldc + 8); c33 = Vector128.Load(c + 3 * ldc + 12); } }
            if (rows > 4) { c40 = Vector128.Load(c + 4 * ldc); c41 = Vector128.Load(c + 4 * ldc + 4); if (W.Count > 2) { c42 = Vector128.Load(c + 4 * ldc + 8); c43 = Vector128.Load(c + 4 * ldc + 12); } }
            if (rows > 5) { c50 = Vector128.Load(c + 5 * ldc); c51 = Vector128.Load(c + 5 * ldc + 4); if (W.Count > 2) { c52 = Vector128.Load(c + 5 * ldc + 8); c53 = Vector128.Load(c + 5 * ldc + 12); } }
        }
        for (int kk = 0; kk < kc; kk++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            var b2 = W.Count > 2 ? Vector128.Load(b + 8) : default;
            var b3 = W.Count > 2 ? Vector128.Load(b + 12) : default;
            if (Sse.IsSupported) Sse.Prefetch1(prefetch);
            prefetch += NR;
            b += NR;
            { var x = Broadcast128(a + 0); c00 = Vector128.MultiplyAddEstimate(x, b0, c00); c01 = Vector128.MultiplyAddEstimate(x, b1, c01); if (W.Count > 2) { c02 = Vector128.MultiplyAddEstimate(x, b2, c02); c03 = Vector128.MultiplyAddEstimate(x, b3, c03); } }
            { var x = Broadcast128(a + 1); c10 = Vector128.MultiplyAddEstimate(x, b0, c10); c11 = Vector128.MultiplyAddEstimate(x, b1, c11); if (W.Count > 2) { c12 = Vector128.MultiplyAddEstimate(x, b2, c12); c13 = Vector128.MultiplyAddEstimate(x, b3, c13); } }
            if (Live<T>(0, 2)) { var x = Broadcast128(a + 2); c20 = Vector128.MultiplyAddEstimate(x, b0, c20); c21 = Vector128.MultiplyAddEstimate(x, b1, c21); if (W.Count > 2) { c22 = Vector128.MultiplyAddEstimate(x, b2, c22); c23 = Vector128.MultiplyAddEstimate(x, b3, c23); } }
            if (Live<T>(0, 3)) { var x = Broadcast128(a + 3); c30 = Vector128.MultiplyAddEstimate(x, b0, c30); c31 = Vector128.MultiplyAddEstimate(x, b1, c31); if (W.Count > 2) { c32 = Vector128.MultiplyAddEstimate(x, b2, c32); c33 = Vector128.MultiplyAddEstimate(x, b3, c33); } }
            if (Live<T>(0, 4)) { var x = Broadcast128(a + 4); c40 = Vector128.MultiplyAddEstimate(x, b0, c40); c41 = Vector128.MultiplyAddEstimate(x, b1, c41); if (W.Count > 2) { c42 = Vector128.MultiplyAddEstimate(x, b2, c42); c43 = Vector128.MultiplyAddEstimate(x, b3, c43); } }
            if (Live<T>(0, 5)) { var x = Broadcast128(a + 5); c50 = Vector128.MultiplyAddEstimate(x, b0, c50); c51 = Vector128.MultiplyAddEstimate(x, b1, c51); if (W.Count > 2) { c52 = Vector128.MultiplyAddEstimate(x, b2, c52); c53 = Vector128.MultiplyAddEstimate(x, b3, c53); } }
            a += MR;
        }
        var bias0 = bias == null ? Vector128<float>.Zero : Vector128.Load(bias);
        var bias1 = bias == null ? Vector128<float>.Zero : Vector128.Load(bias + 4);
        var bias2 = bias == null || W.Count <= 2 ? Vector128<float>.Zero : Vector128.Load(bias + 8);
        var bias3 = bias == null || W.Count <= 2 ? Vector128<float>.Zero : Vector128.Load(bias + 12);
        StoreRow128<W>(c, bias0, bias1, bias2, bias3, residual, c00, c01, c02, c03);
        if (rows > 1) StoreRow128<W>(c + ldc, bias0, bias1, bias2, bias3, residual == null ? null : residual + ldr, c10, c11, c12, c13);
        if (rows > 2) StoreRow128<W>(c + 2 * ldc, bias0, bias1, bias2, bias3, residual == null ? null : residual + 2 * ldr, c20, c21, c22, c23);
        if (rows > 3) StoreRow128<W>(c + 3 * ldc, bias0, bias1, bias2, bias3, residual == null ? null : residual + 3 * ldr, c30, c31, c32, c33);
        if (rows > 4) StoreRow128<W>(c + 4 * ldc, bias0, bias1, bias2, bias3, residual == null ? null : residual + 4 * ldr, c40, c41, c42, c43);
        if (rows > 5) StoreRow128<W>(c + 5 * ldc, bias0, bias1, bias2, bias3, residual == null ? null : residual + 5 * ldr, c50, c51, c52, c53);
    }

    /// <summary>
    /// One A value in all four lanes. With AVX, <c>vbroadcastss xmm, m32</c> is a load alone; <c>Vector128.Create(*p)</c>
    /// without AVX2 compiles to a load and a shuffle, and the six shuffles per k took FP-pipe slots from the twelve
    /// multiplies and adds (Zen 3, <c>DOTNET_EnableAVX2=0</c>: see D29). ARM64 loads and replicates in one instruction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> Broadcast128(float* p) => Avx.IsSupported ? Avx.BroadcastScalarToVector128(p) : Vector128.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreRow128<W>(float* c, Vector128<float> bias0, Vector128<float> bias1, Vector128<float> bias2, Vector128<float> bias3,
        float* residual, Vector128<float> r0, Vector128<float> r1, Vector128<float> r2, Vector128<float> r3) where W : struct, IColumnVectors
    {
        r0 += bias0;
        r1 += bias1;
        if (residual != null)
        {
            r0 += Vector128.Load(residual);
            r1 += Vector128.Load(residual + 4);
        }
        r0.Store(c);
        r1.Store(c + 4);
        if (W.Count > 2)
        {
            r2 += bias2;
            r3 += bias3;
            if (residual != null)
            {
                r2 += Vector128.Load(residual + 8);
                r3 += Vector128.Load(residual + 12);
            }
            r2.Store(c + 8);
            r3.Store(c + 12);
        }
    }

    /// <summary>The wide kernel for <paramref name="rows"/> (1–12) valid rows of one or two row tiles.</summary>
    static void AccumulateWide512(float* a, nint tileStride, float* b0, float* b1, int kc, float* c, nint ldc, int rows, bool load,
        float* bias, float* residual, nint ldr)
    {
        switch (TileShape(rows))
        {
            case 1 * 8 + 1: AccumulateWide512<Tiles1Last2>(a, tileStride, b0, b1, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 1 * 8 + 2: AccumulateWide512<Tiles1Last4>(a, tileStride, b0, b1, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 1 * 8 + 3: AccumulateWide512<Tiles1>(a, tileStride, b0, b1, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 2 * 8 + 1: AccumulateWide512<Tiles2Last2>(a, tileStride, b0, b1, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 2 * 8 + 2: AccumulateWide512<Tiles2Last4>(a, tileStride, b0, b1, kc, c, ldc, rows, load, bias, residual, ldr); break;
            case 2 * 8 + 3: AccumulateWide512<Tiles2>(a, tileStride, b0, b1, kc, c, ldc, rows, load, bias, residual, ldr); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    /// <summary>
    /// C (rows × 32, rows ≤ 6·T, T = 1 or 2) = A (T consecutive packed 6-row tiles) · [B micro-panel p | micro-panel
    /// p + 1]: one zmm accumulator per row and panel (up to 24), per k two B loads, 6·T broadcasts and 12·T FMAs, both
    /// panels prefetched 2 KB ahead. Rows past <paramref name="rows"/> are computed from the tile's padding rows and not
    /// stored; bias (32 floats) and residual are added in the store.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void AccumulateWide512<T>(float* a, nint tileStride, float* b0, float* b1, int kc, float* c, nint ldc, int rows, bool load,
        float* bias, float* residual, nint ldr) where T : struct, ITileCount
    {
        Vector512<float> c00, c01, c02, c03, c04, c05, c10, c11, c12, c13, c14, c15;
        Vector512<float> d00, d01, d02, d03, d04, d05, d10, d11, d12, d13, d14, d15;
        c00 = c01 = c02 = c03 = c04 = c05 = c10 = c11 = c12 = c13 = c14 = c15 = Vector512<float>.Zero;
        d00 = d01 = d02 = d03 = d04 = d05 = d10 = d11 = d12 = d13 = d14 = d15 = Vector512<float>.Zero;
        float* a1 = a + tileStride;
        for (int kk = 0; kk < kc; kk++)
        {
            var bv = Vector512.Load(b0);
            var bw = Vector512.Load(b1);
            if (Sse.IsSupported)
            {
                Sse.Prefetch0(b0 + PrefetchAhead);
                Sse.Prefetch0(b1 + PrefetchAhead);
            }
            b0 += NR; b1 += NR;
            var x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, bv, c00); d00 = Vector512.FusedMultiplyAdd(x, bw, d00);
            x = Vector512.Create(a[1]); c01 = Vector512.FusedMultiplyAdd(x, bv, c01); d01 = Vector512.FusedMultiplyAdd(x, bw, d01);
            if (Live<T>(0, 2)) { x = Vector512.Create(a[2]); c02 = Vector512.FusedMultiplyAdd(x, bv, c02); d02 = Vector512.FusedMultiplyAdd(x, bw, d02); }
            if (Live<T>(0, 3)) { x = Vector512.Create(a[3]); c03 = Vector512.FusedMultiplyAdd(x, bv, c03); d03 = Vector512.FusedMultiplyAdd(x, bw, d03); }
            if (Live<T>(0, 4)) { x = Vector512.Create(a[4]); c04 = Vector512.FusedMultiplyAdd(x, bv, c04); d04 = Vector512.FusedMultiplyAdd(x, bw, d04); }
            if (Live<T>(0, 5)) { x = Vector512.Create(a[5]); c05 = Vector512.FusedMultiplyAdd(x, bv, c05); d05 = Vector512.FusedMultiplyAdd(x, bw, d05); }
            if (Live<T>(1, 0)) { x = Vector512.Create(a1[0]); c10 = Vector512.FusedMultiplyAdd(x, bv, c10); d10 = Vector512.FusedMultiplyAdd(x, bw, d10); }
            if (Live<T>(1, 1)) { x = Vector512.Create(a1[1]); c11 = Vector512.FusedMultiplyAdd(x, bv, c11); d11 = Vector512.FusedMultiplyAdd(x, bw, d11); }
            if (Live<T>(1, 2)) { x = Vector512.Create(a1[2]); c12 = Vector512.FusedMultiplyAdd(x, bv, c12); d12 = Vector512.FusedMultiplyAdd(x, bw, d12); }
            if (Live<T>(1, 3)) { x = Vector512.Create(a1[3]); c13 = Vector512.FusedMultiplyAdd(x, bv, c13); d13 = Vector512.FusedMultiplyAdd(x, bw, d13); }
            if (Live<T>(1, 4)) { x = Vector512.Create(a1[4]); c14 = Vector512.FusedMultiplyAdd(x, bv, c14); d14 = Vector512.FusedMultiplyAdd(x, bw, d14); }
            if (Live<T>(1, 5)) { x = Vector512.Create(a1[5]); c15 = Vector512.FusedMultiplyAdd(x, bv, c15); d15 = Vector512.FusedMultiplyAdd(x, bw, d15); }
            a += MR; a1 += MR;
        }
        var bias0 = bias == null ? Vector512<float>.Zero : Vector512.Load(bias);
        var bias1 = bias == null ? Vector512<float>.Zero : Vector512.Load(bias + NR);
        StoreRows(c, ldc, rows, load, bias0, residual, ldr, c00, c01, c02, c03, c04, c05);
        StoreRows(c + NR, ldc, rows, load, bias1, residual == null ? null : residual + NR, ldr, d00, d01, d02, d03, d04, d05);
        if (T.Tiles > 1)
        {
            float* c6 = c + 6 * ldc, r6 = residual == null ? null : residual + 6 * ldr;
            StoreRows(c6, ldc, rows - 6, load, bias0, r6, ldr, c10, c11, c12, c13, c14, c15);
            StoreRows(c6 + NR, ldc, rows - 6, load, bias1, r6 == null ? null : r6 + NR, ldr, d10, d11, d12, d13, d14, d15);
        }
    }

    static void ZeroEpilogue(int rowStart, int rowEnd, int n, float* c, int ldc, int panelStart, int panelEnd, float* bias, float* residual, int ldr)
    {
        int c0 = panelStart * NR, c1 = Math.Min(n, panelEnd * NR);
        for (int i = rowStart; i < rowEnd; i++)
        {
            for (int j = c0; j < c1; j++)
                c[(long)i * ldc + j] = (bias == null ? 0f : bias[j]) + (residual == null ? 0f : residual[(long)i * ldr + j]);
        }
    }

    /// <summary>Whole-matrix convenience over spans (single-threaded).</summary>
    public static void Run(ReadOnlySpan<float> a, int m, PackedMatrix b, Span<float> c, ReadOnlySpan<float> bias = default, ReadOnlySpan<float> residual = default)
    {
        if (a.Length < (long)m * b.K) throw new ArgumentException("A is too small");
        if (c.Length < (long)m * b.N) throw new ArgumentException("C is too small");
        fixed (float* pa = a)
        fixed (float* pb = b.Data)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        fixed (float* pres = residual)
        {
            Run(pa, b.K, m, pb, b.N, b.K, pc, b.N, 0, b.Panels, bias.IsEmpty ? null : pbias, residual.IsEmpty ? null : pres, b.N);
        }
    }
}
