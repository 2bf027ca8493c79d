using System.Runtime.Intrinsics;

namespace AlbertGen.Tests;

/// <summary>A fact that needs Vector512 acceleration (AVX-512); skipped, with the reason, where this process lacks it.</summary>
internal sealed class Vector512FactAttribute : FactAttribute
{
    public Vector512FactAttribute()
    {
        if (!Vector512.IsHardwareAccelerated)
            Skip = "needs AVX-512 (Vector512 accelerated): not on this CPU, or disabled by DOTNET_EnableAVX512=0 (that run tests the Vector256 forms)";
    }
}
