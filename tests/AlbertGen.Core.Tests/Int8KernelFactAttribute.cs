using AlbertGen.Kernels;

namespace AlbertGen.Tests;

/// <summary>A fact about one int8 kernel; skipped, with the reason, where this CPU cannot run <paramref name="kernel"/>.</summary>
internal sealed class Int8KernelFactAttribute : FactAttribute
{
    public Int8KernelFactAttribute(Int8Kernel kernel)
    {
        if (!GemmInt8.IsSupported(kernel))
            Skip = Int8KernelTheoryAttribute.SkipReason(kernel);
    }
}
