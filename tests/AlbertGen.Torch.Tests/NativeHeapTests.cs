using System.Runtime.InteropServices;

namespace AlbertGen.Torch.Tests;

/// <summary>
/// <see cref="NativeHeap"/>: once libtorch is initialised, a large native buffer that is freed and allocated again
/// reuses mapped pages instead of faulting every page in afresh (what glibc's mmap threshold would do).
/// </summary>
public class NativeHeapTests
{
    [NativeHeapFact]
    public void Freed_large_buffers_stay_mapped_after_initialisation()
    {
        Assert.True(TorchRuntime.TryInitialize(out _));
        Assert.True(NativeHeap.KeepLargeBuffersMapped(), "mallopt was not applied (not glibc?)");

        const int bytes = 48 << 20; // above glibc's largest mmap threshold (32 MiB)
        TouchAndFree(bytes);        // first round: the heap grows, pages fault in once
        long before = MinorFaultsOfThisThread();
        TouchAndFree(bytes);
        long faults = MinorFaultsOfThisThread() - before;
        // 12,288 pages of 4 KiB would fault again if the buffer had been unmapped on free
        Assert.True(faults < 1024, $"second round faulted {faults} pages: the buffer was returned to the kernel");
    }

    static unsafe void TouchAndFree(int bytes)
    {
        byte* p = (byte*)NativeMemory.Alloc((nuint)bytes);
        try
        {
            for (int i = 0; i < bytes; i += 4096) p[i] = 1;
        }
        finally
        {
            NativeMemory.Free(p);
        }
    }

    static long MinorFaultsOfThisThread()
    {
        // fields after "(comm)": state ppid pgrp session tty_nr tpgid flags minflt …
        string stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>A <see cref="TorchFactAttribute"/> that also needs Linux and an environment that leaves malloc alone.</summary>
public sealed class NativeHeapFactAttribute : FactAttribute
{
    public NativeHeapFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/thread-self/stat"))
            Skip = "Linux only: the setting is glibc's, and faults are counted from /proc/thread-self/stat";
        else if (NativeHeap.LeftToUser())
            Skip = $"malloc is tuned through the environment here ({string.Join(", ", NativeHeap.UserSettings)}), so AlbertGen leaves it alone";
        else if (!TorchRuntime.TryInitialize(out var reason))
            Skip = reason ?? "libtorch could not be loaded";
    }
}
