using AlbertGen.Kernels;

namespace AlbertGen.Tests;

/// <summary>
/// One 6 × 16 GEMM micro-kernel call on a single packed panel, checked against a double-precision product: cells of the
/// tile within tolerance, cells outside it (C has <c>ldc</c> &gt; 16 columns) untouched. Shared by the per-family
/// kernel tests, each passing its kernel and the (load, bias, residual) combinations it covers.
/// </summary>
internal static unsafe class MicroKernelCheck
{
    /// <summary>A micro-kernel: rows of packed A × one packed B panel (kc deep) into C, with optional load/bias/residual.</summary>
    public delegate void Kernel(int rows, float* packedA, float* packedB, int kc, float* c, int ldc, bool load, float* bias, float* residual, int ldr);

    public static void MatchesDoubleProduct(int rows, int kc, int ldc, int ldr, Random rng, string label,
        (bool Load, bool Bias, bool Residual)[] cases, Kernel kernel)
    {
        var a = KernelTests.Random(rng, rows * kc);
        var w = KernelTests.Random(rng, Gemm.NR * kc); // one 16-column panel
        var bias = KernelTests.Random(rng, Gemm.NR);
        var residual = KernelTests.Random(rng, Gemm.MR * ldr);
        var start = KernelTests.Random(rng, Gemm.MR * ldc);
        var packedB = PackedMatrix.FromLinearWeight(w, Gemm.NR, kc);
        var packedA = new float[Gemm.PackedALength(rows, kc)];
        foreach (var (load, useBias, useResidual) in cases)
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
                kernel(rows, ppa, pb, kc, pc, ldc, load, useBias ? pbias : null, useResidual ? pres : null, ldr);
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
                    Assert.True(Math.Abs(c[i * ldc + j] - s) <= tol, $"rows={rows} kc={kc}{label} load={load} [{i},{j}]: {c[i * ldc + j]} vs {s}");
                }
            }
        }
    }
}
