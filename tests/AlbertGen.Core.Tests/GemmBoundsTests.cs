using System.Runtime.InteropServices;
using AlbertGen.Kernels;

namespace AlbertGen.Tests;

/// <summary>
/// The GEMM kernel must never touch memory past the last row of C, A or the residual: these matrices end exactly
/// at a page whose successor is PROT_NONE, so a stray read faults. (Found on the base shape: the K-blocked
/// accumulate path read one row past the tail.)
/// </summary>
public unsafe partial class GemmBoundsTests
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int mprotect(nint addr, nuint len, int prot);

    const int Page = 4096;

    /// <summary>A buffer of <paramref name="floats"/> that ends at a guard page.</summary>
    sealed class Guarded : IDisposable
    {
        readonly byte* _base;
        readonly nuint _pages;
        public float* Ptr { get; }

        public Guarded(int floats)
        {
            nuint bytes = (nuint)(floats * sizeof(float));
            _pages = (bytes + Page - 1) / Page + 1;
            _base = (byte*)NativeMemory.AlignedAlloc(_pages * Page, Page);
            byte* guard = _base + (_pages - 1) * Page;
            Assert.Equal(0, mprotect((nint)guard, Page, 0));
            Ptr = (float*)(guard - bytes);
        }

        public void Dispose()
        {
            mprotect((nint)(_base + (_pages - 1) * Page), Page, 3);
            NativeMemory.AlignedFree(_base);
        }
    }

    [Fact]
    public void Tails_never_read_past_the_last_row()
    {
        if (!OperatingSystem.IsLinux()) return;
        const int n = 16, k = Gemm.KC + 64; // k > KC exercises the K-blocked (accumulate) path; n = NR keeps C tiles in place
        var rng = new Random(5);
        var w = new float[n * k];
        for (int i = 0; i < w.Length; i++) w[i] = (float)rng.NextDouble();
        var packed = PackedMatrix.FromLinearWeight(w, n, k);
        foreach (int m in Enumerable.Range(1, 13).Concat([25, 49]))
        {
            using var a = new Guarded(m * k);
            using var c = new Guarded(m * n);
            using var r = new Guarded(m * n);
            for (int i = 0; i < m * k; i++) a.Ptr[i] = 1f;
            for (int i = 0; i < m * n; i++) r.Ptr[i] = 2f;
            fixed (float* pb = packed.Data)
                Gemm.Run(a.Ptr, k, m, pb, n, k, c.Ptr, n, 0, packed.Panels, null, r.Ptr, n);
            for (int j = 0; j < n; j++)
            {
                double s = 2;
                for (int kk = 0; kk < k; kk++) s += w[j * k + kk];
                Assert.True(Math.Abs(c.Ptr[(m - 1) * n + j] - s) < 1e-3, $"m={m} j={j}");
            }
        }
    }
}
