using AlbertGen.Torch;

namespace AlbertGen.Torch.Tests;

/// <summary>A fact that is skipped, with the loader's reason, where libtorch cannot be loaded.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public TorchFactAttribute()
    {
        if (!TorchRuntime.TryInitialize(out var reason))
            Skip = reason ?? "libtorch could not be loaded";
    }
}

/// <summary>A theory that is skipped, with the loader's reason, where libtorch cannot be loaded.</summary>
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    public TorchTheoryAttribute()
    {
        if (!TorchRuntime.TryInitialize(out var reason))
            Skip = reason ?? "libtorch could not be loaded";
    }
}
