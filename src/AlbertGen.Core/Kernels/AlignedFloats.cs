using System.Runtime.CompilerServices;

namespace AlbertGen.Kernels;

/// <summary>
/// Pinned float buffers whose usable part starts on a 64-byte (cache-line) boundary. The GEMM reads B as 64-byte
/// rows; unaligned, half of those loads would straddle two cache lines.
/// </summary>
internal static class AlignedFloats
{
    public const int Alignment = 64;

    /// <summary>A pinned array with room for <paramref name="length"/> aligned floats starting at <paramref name="offset"/>.</summary>
    public static unsafe float[] Allocate(int length, out int offset)
    {
        var storage = GC.AllocateArray<float>(length + Alignment / sizeof(float), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref storage[0]);
        offset = (int)((Alignment - address % Alignment) % Alignment) / sizeof(float);
        return storage;
    }
}
