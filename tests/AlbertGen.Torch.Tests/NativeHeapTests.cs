using System.Runtime.InteropServices;

namespace AlbertGen.Torch.Tests;

/// <summary>
/// <see cref="NativeHeap"/>: once libtorch is initialised, glibc serves a large native buffer from the heap, not from
/// a private mmap (which free would unmap, so every reuse faults all its pages in afresh). Checked two ways: the
/// chunk header's IS_MMAPPED bit (glibc's malloc_chunk layout: size word just below the pointer, bit 1), which is
/// deterministic, and — where this thread allocates from the main arena — the page faults of a second round.
/// (A thread on a secondary arena can still lose a wholly freed 64 MiB heap segment to munmap; faults alone made this
/// test flaky when xunit ran it on such a thread: 12,289 faults once in CI.)
/// </summary>
[Collection(NativeHeapCollection.Name)]
public class NativeHeapTests
{
    [NativeHeapFact]
    public unsafe void Large_buffers_come_from_the_heap_not_from_mmap_after_initialisation()
    {
        Assert.True(TorchRuntime.TryInitialize(out _));
        Assert.True(NativeHeap.KeepLargeBuffersMapped(), "mallopt was not applied (not glibc?)");

        const int bytes = 48 << 20; // above glibc's largest mmap threshold (32 MiB)
        byte* p = (byte*)NativeMemory.Alloc((nuint)bytes);
        try
        {
            nuint sizeWord = *(nuint*)(p - sizeof(nuint));
            Assert.True((sizeWord & 2) == 0, "a 48 MiB buffer was served by mmap (IS_MMAPPED): free would unmap it");
            Assert.True(sizeWord >= bytes, $"unexpected chunk header {sizeWord:x}: not glibc's malloc?");
        }
        finally
        {
            NativeMemory.Free(p);
        }

        TouchAndFree(bytes);        // first round: the heap grows, pages fault in once
        long before = MinorFaultsOfThisThread();
        TouchAndFree(bytes);
        long faults = MinorFaultsOfThisThread() - before;
        // 12,288 pages of 4 KiB fault again if the buffer was unmapped on free; that can still happen on a secondary
        // arena (see above), so the fault count is only reported, the header check is the assertion
        Console.WriteLine($"second round: {faults} minor faults");
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

/// <summary>Runs <see cref="NativeHeapTests"/> alone (no test of another collection at the same time).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeHeapCollection
{
    public const string Name = "native heap (alone)";
}
