using System.Buffers;

namespace AlbertGen.SafeTensors;

/// <summary>A <see cref="MemoryManager{T}"/> over an F32 tensor inside a mapped safetensors file (no copy).</summary>
internal sealed unsafe class MappedFloatMemory(SafeTensorsFile file, TensorEntry entry) : MemoryManager<float>
{
    public override Span<float> GetSpan() => new(file.DataPointer(entry), checked((int)entry.ElementCount));

    public override MemoryHandle Pin(int elementIndex = 0) => new(file.DataPointer(entry) + (long)elementIndex * sizeof(float));

    public override void Unpin() { }

    protected override void Dispose(bool disposing) { }
}
