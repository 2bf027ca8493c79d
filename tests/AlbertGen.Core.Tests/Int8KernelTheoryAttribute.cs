using AlbertGen.Kernels;

namespace AlbertGen.Tests;

/// <summary>A theory over int8 kernels; skipped, with the reason, where this CPU cannot run <paramref name="kernel"/>.</summary>
internal sealed class Int8KernelTheoryAttribute : TheoryAttribute
{
    public Int8KernelTheoryAttribute(Int8Kernel kernel)
    {
        if (!GemmInt8.IsSupported(kernel))
            Skip = SkipReason(kernel);
    }

    public static string SkipReason(Int8Kernel kernel) =>
        $"this CPU cannot run the {kernel} int8 kernel (AVX-VNNI / AVX2 / SSSE3 / ARM64 dot product missing, or disabled by DOTNET_Enable* variables)";
}
