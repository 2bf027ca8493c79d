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
    public unsafe void Gemm_kernel256_matches_a_double_product(int rows, int kc) =>
        MicroKernelCheck.MatchesDoubleProduct(rows, kc, ldc: 23, ldr: 17, new Random(rows * 1000 + kc), "",
            [(false, false, false), (true, false, false), (false, true, false), (true, true, true)],
            (r, pa, pb, k, c, ldc, load, bias, res, ldr) => Gemm.Accumulate256(r, pa, pb, k, c, ldc, load, pb, bias, res, ldr));

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
