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
}
