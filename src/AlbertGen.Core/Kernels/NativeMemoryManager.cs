using System.Buffers;

namespace AlbertGen.Kernels;

/// <summary>
/// <see cref="Memory{T}"/> over unmanaged memory (a packed model image inside the executable, D37), so that the
/// engine's <see cref="ReadOnlyMemory{T}"/> consumers read it without a copy. Whoever created it keeps the memory
/// alive; pinning is a no-op.
/// </summary>
internal sealed unsafe class NativeMemoryManager<T>(T* pointer, int length) : MemoryManager<T> where T : unmanaged
{
    public override Span<T> GetSpan() => new(pointer, length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)length)
            throw new ArgumentOutOfRangeException(nameof(elementIndex));
        return new MemoryHandle(pointer + elementIndex);
    }

    public override void Unpin() { }

    protected override void Dispose(bool disposing) { }
}
