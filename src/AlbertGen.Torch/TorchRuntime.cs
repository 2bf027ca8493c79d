using TorchSharp;

namespace AlbertGen.Torch;

/// <summary>Loading libtorch and choosing a device (<c>auto</c> | <c>cpu</c> | <c>cuda</c>).</summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool? _available;
    static string? _reason;

    /// <summary>Loads libtorch once; false (with a reason) when the native libraries cannot be loaded.</summary>
    public static bool TryInitialize(out string? reason)
    {
        lock (Gate)
        {
            if (_available is null)
            {
                try
                {
                    NativeHeap.KeepLargeBuffersMapped();
                    torch.InitializeDeviceType(DeviceType.CPU);
                    using var probe = torch.ones(2);
                    _available = probe.sum().item<float>() == 2f;
                    _reason = _available == true ? null : "libtorch loaded but a probe computation failed";
                }
                catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or InvalidOperationException or EntryPointNotFoundException)
                {
                    _available = false;
                    var inner = e;
                    while (inner.InnerException is not null) inner = inner.InnerException;
                    _reason = $"libtorch could not be loaded: {inner.Message} (see docs/torch.md: Debian 12 fix, TorchDevice)";
                }
            }
            reason = _reason;
            return _available.Value;
        }
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> with the reason when libtorch cannot be loaded.</summary>
    public static void EnsureInitialized()
    {
        if (!TryInitialize(out var reason))
            throw new InvalidOperationException(reason);
    }

    /// <summary>Parses <c>auto</c> (CUDA when available, else CPU), <c>cpu</c> or <c>cuda</c>.</summary>
    public static torch.Device ParseDevice(string? name)
    {
        EnsureInitialized();
        switch ((name ?? "auto").Trim().ToLowerInvariant())
        {
            case "auto":
                return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
            case "cpu":
                return torch.CPU;
            case "cuda":
                if (!torch.cuda.is_available())
                    throw new ArgumentException("--device cuda: CUDA is not available (build with -p:TorchDevice=cuda on a machine with a GPU; see docs/torch.md)");
                return torch.CUDA;
            default:
                throw new ArgumentException($"unknown device '{name}' (known: auto, cpu, cuda)");
        }
    }

    /// <summary>
    /// <c>--precision</c>: <c>fp32</c> (null: float32 throughout) or <c>bf16</c> (bfloat16 matmuls with float32 master
    /// weights, as PyTorch's <c>autocast(dtype=torch.bfloat16)</c>; meant for CUDA, also runs on the CPU).
    /// </summary>
    public static torch.ScalarType? ParsePrecision(string? name) => (name ?? "fp32").Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => null,
        "bf16" or "bfloat16" => torch.ScalarType.BFloat16,
        _ => throw new ArgumentException($"unknown precision '{name}' (known: fp32, bf16)"),
    };
}
