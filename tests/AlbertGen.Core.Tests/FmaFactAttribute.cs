using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AlbertGen.Tests;

/// <summary>A fact that needs FMA (the 256-bit GEMM kernel, D36); skipped, with the reason, where this process lacks it.</summary>
internal sealed class FmaFactAttribute : FactAttribute
{
    internal const string Reason = "needs FMA: not an x64 CPU with AVX2/FMA, or disabled by DOTNET_EnableAVX2=0 (that run tests the Vector128 family)";

    public FmaFactAttribute()
    {
        if (!Fma.IsSupported) Skip = Reason;
    }

    /// <summary>Also skipped where Vector512 is accelerated (the GEMM then runs the AVX-512 kernels instead).</summary>
    public bool WithoutVector512
    {
        get => false;
        set
        {
            if (value && Skip is null && Vector512.IsHardwareAccelerated)
                Skip = "the GEMM runs the AVX-512 kernels on this CPU (scripts/test.sh repeats with DOTNET_EnableAVX512=0)";
        }
    }
}
