using System.Runtime.Intrinsics.X86;
using AlbertGen.Cpu;
using AlbertGen.Kernels;

namespace AlbertGen.Tests;

/// <summary>
/// The 6 × 16 GEMM micro-kernel in explicit AVX/FMA intrinsics (decision D36), called directly: it is the kernel every
/// FMA machine runs under the JIT, and the one a NativeAOT build for the default x86-64-v2 + AVX baseline picks at run
/// time (where <c>Vector256.IsHardwareAccelerated</c> is false, so the JIT cannot show that path; scripts/aot-smoke.sh
/// and scripts/aot-oldcpu-smoke.sh check the binary). Compared with a double-precision product over every row count,
/// short and long K, with and without bias, residual and accumulation into C.
/// </summary>
public class Fma256KernelTests
{
    public static TheoryData<int, int> TileShapes()
    {
        var d = new TheoryData<int, int>();
        foreach (int rows in new[] { 1, 2, 3, 4, 5, 6 })
            foreach (int kc in new[] { 1, 2, 7, 64, 385 })
                d.Add(rows, kc);
        return d;
    }

    [FmaTheory]
    [MemberData(nameof(TileShapes))]
    public unsafe void Gemm_kernel256_matches_a_double_product(int rows, int kc)
    {
        const int ldc = 23, ldr = 17;
        var rng = new Random(rows * 1000 + kc);
        var a = KernelTests.Random(rng, rows * kc);
        var w = KernelTests.Random(rng, Gemm.NR * kc); // one 16-column panel
        var bias = KernelTests.Random(rng, Gemm.NR);
        var residual = KernelTests.Random(rng, Gemm.MR * ldr);
        var start = KernelTests.Random(rng, Gemm.MR * ldc);
        var packedB = PackedMatrix.FromLinearWeight(w, Gemm.NR, kc);
        var packedA = new float[Gemm.PackedALength(rows, kc)];
        foreach (var (load, useBias, useResidual) in new[] { (false, false, false), (true, false, false), (false, true, false), (true, true, true) })
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
                Gemm.Accumulate256(rows, ppa, pb, kc, pc, ldc, load, pb, useBias ? pbias : null, useResidual ? pres : null, ldr);
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
                    Assert.True(Math.Abs(c[i * ldc + j] - s) <= tol, $"rows={rows} kc={kc} load={load} [{i},{j}]: {c[i * ldc + j]} vs {s}");
                }
            }
        }
    }

    /// <summary>
    /// The kernel is what the whole GEMM runs where FMA is supported: <see cref="Gemm.Run(ReadOnlySpan{float}, int, PackedMatrix, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>
    /// equals tile-by-tile calls of <see cref="Gemm.Accumulate256"/> bit for bit (13 rows: tiles of 6, 6 and 1; two panels)
    /// (skipped where Vector512 is accelerated: the GEMM runs the AVX-512 kernels there).
    /// </summary>
    [FmaFact(WithoutVector512 = true)]
    public unsafe void Gemm_runs_the_kernel256_where_FMA_is_supported()
    {
        const int m = 13, n = 32, k = 40;
        var rng = new Random(36);
        var a = KernelTests.Random(rng, m * k);
        var w = KernelTests.Random(rng, n * k);
        var packedB = PackedMatrix.FromLinearWeight(w, n, k);
        var viaGemm = new float[m * n];
        Gemm.Run(a, m, packedB, viaGemm);
        var direct = new float[m * n];
        var packedA = new float[Gemm.PackedALength(m, k)];
        fixed (float* pa = a)
        fixed (float* ppa = packedA)
        fixed (float* pb = packedB.Data)
        fixed (float* pc = direct)
        {
            Gemm.PackRows(pa, k, m, k, ppa, 0, m);
            for (int p = 0; p < n / Gemm.NR; p++)
                for (int row = 0; row < m; row += Gemm.MR)
                    Gemm.Accumulate256(Math.Min(Gemm.MR, m - row), ppa + (long)row * k, pb + (long)p * k * Gemm.NR, k,
                        pc + (long)row * n + p * Gemm.NR, n, load: false, pb, null, null, 0);
        }
        Assert.Equal(direct, viaGemm);
    }

    /// <summary>scripts/test.sh's <c>DOTNET_EnableAVX2=0</c> run (what a CPU with AVX but without AVX2 sees): FMA is off
    /// with AVX2, so the engine reports and runs the Vector128 family, and the FMA kernel refuses to run.</summary>
    [Avx2DisabledFact]
    public unsafe void With_AVX2_disabled_the_engine_runs_the_Vector128_family()
    {
        Assert.False(Fma.IsSupported);
        Assert.StartsWith("Vector128", CpuKernels.Family);
        var buffer = new float[Gemm.MR * Gemm.NR];
        Assert.Throws<PlatformNotSupportedException>(() =>
        {
            fixed (float* p = buffer) Gemm.Accumulate256(1, p, p, 1, p, Gemm.NR, false, p, null, null, 0);
        });
    }
}
