using System.Runtime.Intrinsics.X86;

namespace AlbertGen.Tests;

/// <summary>A theory that needs FMA (the 256-bit GEMM kernel, D36); skipped, with the reason, where this process lacks it.</summary>
internal sealed class FmaTheoryAttribute : TheoryAttribute
{
    public FmaTheoryAttribute()
    {
        if (!Fma.IsSupported) Skip = FmaFactAttribute.Reason;
    }
}
