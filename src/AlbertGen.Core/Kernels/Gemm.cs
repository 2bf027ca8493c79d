using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AlbertGen.Kernels;

/// <summary>
/// C (m × n) = A (m × k, row-major) · B (packed, <see cref="PackedMatrix"/>) [+ bias] [+ residual].
/// Goto/BLIS-style: B is pre-packed in panels of NR = 16 columns, K is blocked by <see cref="KC"/> so one
/// B micro-panel (KC × 16 floats = 16 KB) stays in L1 while all rows of A stream past it, and a 6 × 16
/// micro-kernel keeps 12 Vector256 accumulators in registers (6 broadcasts + 2 loads + 12 FMAs per k),
/// as in ONNX Runtime's MLAS SgemmKernelFma3 and BLIS's haswell kernel. Row tails reuse the 6-row kernel on
/// clamped row pointers (the extra rows are computed but not stored); column tails go through a small
/// buffer. Single-threaded over a range of panels: callers split panels across threads.
/// </summary>
public static unsafe class Gemm
{
    public const int MR = 6;
    public const int NR = 16;
    public const int KC = 256;

    /// <summary>Computes panels [<paramref name="panelStart"/>, <paramref name="panelEnd"/>) of C.</summary>
    /// <param name="bias">n floats added to every row, or null.</param>
    /// <param name="residual">m × n matrix (row stride <paramref name="ldr"/>) added to C, or null. May alias C only if ldr == ldc.</param>
    public static void Run(float* a, int lda, int m, float* packedB, int n, int k, float* c, int ldc,
        int panelStart, int panelEnd, float* bias = null, float* residual = null, int ldr = 0)
    {
        if (m <= 0 || panelEnd <= panelStart) return;
        if (k == 0)
        {
            ZeroEpilogue(m, n, c, ldc, panelStart, panelEnd, bias, residual, ldr);
            return;
        }
        for (int k0 = 0; k0 < k; k0 += KC)
        {
            int kc = Math.Min(KC, k - k0);
            bool first = k0 == 0, last = k0 + kc == k;
            for (int p = panelStart; p < panelEnd; p++)
            {
                float* bp = packedB + (long)p * k * NR + (long)k0 * NR;
                int col = p * NR;
                int cols = Math.Min(NR, n - col);
                float* biasP = bias == null ? null : bias + col;
                for (int i = 0; i < m; i += MR)
                {
                    int rows = Math.Min(MR, m - i);
                    float* resP = residual == null ? null : residual + (long)i * ldr + col;
                    Kernel6x16(a + (long)i * lda + k0, lda, rows, bp, kc, c + (long)i * ldc + col, ldc, cols, first, last, biasP, resP, ldr);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Kernel6x16(float* a, int lda, int rows, float* b, int kc, float* c, int ldc, int cols,
        bool first, bool last, float* bias, float* residual, int ldr)
    {
        // Row pointers; rows past the tail repeat the last valid row (computed, never stored).
        float* a0 = a;
        float* a1 = a + (rows > 1 ? lda : 0);
        float* a2 = a + (rows > 2 ? 2L * lda : (rows - 1L) * lda);
        float* a3 = a + (rows > 3 ? 3L * lda : (rows - 1L) * lda);
        float* a4 = a + (rows > 4 ? 4L * lda : (rows - 1L) * lda);
        float* a5 = a + (rows > 5 ? 5L * lda : (rows - 1L) * lda);

        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (first)
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }
        else
        {
            float* t = stackalloc float[MR * NR];
            float* src = LoadTile(c, ldc, rows, cols, t);
            int ld = src == c ? ldc : NR;
            // rows past the tail re-read the last valid row (never stored): never touch memory past row rows-1
            c00 = Vector256.Load(src); c01 = Vector256.Load(src + 8); src += rows > 1 ? ld : 0;
            c10 = Vector256.Load(src); c11 = Vector256.Load(src + 8); src += rows > 2 ? ld : 0;
            c20 = Vector256.Load(src); c21 = Vector256.Load(src + 8); src += rows > 3 ? ld : 0;
            c30 = Vector256.Load(src); c31 = Vector256.Load(src + 8); src += rows > 4 ? ld : 0;
            c40 = Vector256.Load(src); c41 = Vector256.Load(src + 8); src += rows > 5 ? ld : 0;
            c50 = Vector256.Load(src); c51 = Vector256.Load(src + 8);
        }

        for (int kk = 0; kk < kc; kk++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            b += NR;
            var x = Vector256.Create(a0[kk]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a1[kk]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a2[kk]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3[kk]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a4[kk]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a5[kk]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
        }

        if (last && bias != null)
        {
            Vector256<float> bb0, bb1;
            if (cols == NR)
            {
                bb0 = Vector256.Load(bias);
                bb1 = Vector256.Load(bias + 8);
            }
            else
            {
                float* t = stackalloc float[NR];
                for (int j = 0; j < NR; j++) t[j] = j < cols ? bias[j] : 0f;
                bb0 = Vector256.Load(t);
                bb1 = Vector256.Load(t + 8);
            }
            c00 += bb0; c01 += bb1; c10 += bb0; c11 += bb1; c20 += bb0; c21 += bb1;
            c30 += bb0; c31 += bb1; c40 += bb0; c41 += bb1; c50 += bb0; c51 += bb1;
        }
        if (last && residual != null)
        {
            float* t = stackalloc float[MR * NR];
            float* r = LoadTile(residual, ldr, rows, cols, t);
            int ld = r == residual ? ldr : NR;
            c00 += Vector256.Load(r); c01 += Vector256.Load(r + 8); r += ld;
            if (rows > 1) { c10 += Vector256.Load(r); c11 += Vector256.Load(r + 8); r += ld; }
            if (rows > 2) { c20 += Vector256.Load(r); c21 += Vector256.Load(r + 8); r += ld; }
            if (rows > 3) { c30 += Vector256.Load(r); c31 += Vector256.Load(r + 8); r += ld; }
            if (rows > 4) { c40 += Vector256.Load(r); c41 += Vector256.Load(r + 8); r += ld; }
            if (rows > 5) { c50 += Vector256.Load(r); c51 += Vector256.Load(r + 8); }
        }

        if (cols == NR)
        {
            float* d = c;
            c00.Store(d); c01.Store(d + 8);
            if (rows > 1) { d += ldc; c10.Store(d); c11.Store(d + 8); }
            if (rows > 2) { d += ldc; c20.Store(d); c21.Store(d + 8); }
            if (rows > 3) { d += ldc; c30.Store(d); c31.Store(d + 8); }
            if (rows > 4) { d += ldc; c40.Store(d); c41.Store(d + 8); }
            if (rows > 5) { d += ldc; c50.Store(d); c51.Store(d + 8); }
        }
        else
        {
            float* t = stackalloc float[MR * NR];
            c00.Store(t); c01.Store(t + 8); c10.Store(t + 16); c11.Store(t + 24);
            c20.Store(t + 32); c21.Store(t + 40); c30.Store(t + 48); c31.Store(t + 56);
            c40.Store(t + 64); c41.Store(t + 72); c50.Store(t + 80); c51.Store(t + 88);
            for (int r = 0; r < rows; r++)
                new ReadOnlySpan<float>(t + r * NR, cols).CopyTo(new Span<float>(c + (long)r * ldc, cols));
        }
    }

    /// <summary>Returns <paramref name="src"/> when a full tile can be read in place, else copies the valid part into <paramref name="tmp"/> (zero-padded, row stride NR).</summary>
    static float* LoadTile(float* src, int ld, int rows, int cols, float* tmp)
    {
        if (cols == NR) return src;
        new Span<float>(tmp, MR * NR).Clear();
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<float>(src + (long)r * ld, cols).CopyTo(new Span<float>(tmp + r * NR, cols));
        return tmp;
    }

    static void ZeroEpilogue(int m, int n, float* c, int ldc, int panelStart, int panelEnd, float* bias, float* residual, int ldr)
    {
        int c0 = panelStart * NR, c1 = Math.Min(n, panelEnd * NR);
        for (int i = 0; i < m; i++)
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
