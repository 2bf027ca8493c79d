namespace AlbertGen.Kernels;

/// <summary>
/// A float vector the kernels address by pointer (biases, LayerNorm weights): a pinned array of its own, or a span
/// of a packed model image (<see cref="Embedded.PackedModelImage"/>) that lives as long as the model does. Length 0
/// and a null pointer when absent.
/// </summary>
internal readonly unsafe struct PinnedVector
{
    readonly object? _owner; // the pinned array (kept reachable), or null over an image
    public float* Pointer { get; }
    public int Length { get; }

    PinnedVector(object? owner, float* pointer, int length)
    {
        _owner = owner;
        Pointer = pointer;
        Length = length;
    }

    public bool IsEmpty => Length == 0;

    public ReadOnlySpan<float> Span => new(Pointer, Length);

    /// <summary>Over a pinned (POH) array: its address never changes.</summary>
    public static PinnedVector Of(float[] pinned) =>
        new(pinned, (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(pinned)), pinned.Length);

    /// <summary>Over memory someone else keeps alive for at least as long as this vector is used.</summary>
    public static PinnedVector Over(float* pointer, int length) => new(null, pointer, length);
}
