using System.Runtime.InteropServices;

namespace AlbertGen.Tests;

/// <summary>A fact that runs only in an x64 process started with <c>DOTNET_EnableAVX2=0</c> (scripts/test.sh's Vector128 run).</summary>
public sealed class Avx2DisabledFactAttribute : FactAttribute
{
    public Avx2DisabledFactAttribute()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            Skip = "x64 only: DOTNET_EnableAVX2 has no meaning on " + RuntimeInformation.ProcessArchitecture;
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") != "0")
            Skip = "runs in the DOTNET_EnableAVX2=0 pass of scripts/test.sh";
    }
}
