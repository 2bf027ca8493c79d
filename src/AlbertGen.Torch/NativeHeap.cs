using System.Runtime.InteropServices;

namespace AlbertGen.Torch;

/// <summary>
/// Keeps glibc from handing libtorch's large CPU buffers back to the kernel after every use.
/// </summary>
/// <remarks>
/// glibc serves allocations above its mmap threshold (at most 32 MiB) with a fresh <c>mmap</c> and unmaps them on
/// free, so every training step faults in its logits, activations and gradients page by page again: on the default
/// model (batch 32 × 128, prediction logits alone 131 MB) half the CPU time went to page faults in the kernel
/// (66 k faults/s, 2.6× slower steps). Serving everything from the heap and never trimming it keeps those pages
/// mapped; the process holds its peak footprint, which a training process reaches every step anyway.
/// Skipped when the user tunes these settings through the environment (<see cref="UserSettings"/>), and off
/// Linux/glibc. See D14.
/// </remarks>
static class NativeHeap
{
    const int M_TRIM_THRESHOLD = -1;
    const int M_MMAP_MAX = -4;

    /// <summary>Environment variables that leave malloc to the user: glibc's own knobs for these settings, and an opt-out.</summary>
    internal static readonly string[] UserSettings = ["MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES", "ALBERTGEN_NO_MALLOPT"];

    static bool _done;

    /// <summary>Whether one of <see cref="UserSettings"/> is set, so AlbertGen leaves malloc alone.</summary>
    internal static bool LeftToUser() => UserSettings.Any(key => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(key)));

    /// <summary>Applies the setting once per process; returns whether it is in effect.</summary>
    public static bool KeepLargeBuffersMapped()
    {
        if (_done) return true;
        if (!OperatingSystem.IsLinux() || LeftToUser()) return false;
        try
        {
            _done = mallopt(M_MMAP_MAX, 0) == 1 & mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _done = false; // not glibc (e.g. musl): nothing to tune
        }
        return _done;
    }

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);
}
