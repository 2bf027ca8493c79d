using AlbertGen.SafeTensors;

namespace AlbertGen.Checkpoints;

/// <summary>
/// A weights file read as named tensors: <see cref="SafeTensorsFile"/> (<c>model.safetensors</c>) or
/// <see cref="PyTorchBinFile"/> (<c>pytorch_model.bin</c>). <see cref="CheckpointFiles.Open"/> picks the reader.
/// F32, F16 and BF16 tensors read as float32; other dtypes are listed but refused when read.
/// </summary>
public interface ITensorFile : IDisposable
{
    string Path { get; }

    /// <summary>Every tensor of the file, with its dtype and shape.</summary>
    IReadOnlyCollection<TensorEntry> Tensors { get; }

    bool Contains(string name);

    bool TryGetEntry(string name, out TensorEntry entry);

    /// <summary>The tensor named <paramref name="name"/>; throws (naming the file) when there is none.</summary>
    TensorEntry GetEntry(string name);

    /// <summary>A tensor as float32, row-major: zero-copy where the file allows it, a converted copy otherwise. Valid while the file is open.</summary>
    ReadOnlyMemory<float> GetFloat32(TensorEntry e);

    /// <summary>Copies a tensor into <paramref name="destination"/> (its element count) as float32, row-major.</summary>
    void ReadAsFloat32(TensorEntry e, Span<float> destination);

    /// <summary>A tensor as a new float32 array, row-major.</summary>
    float[] ReadFloat32Array(string name);

    /// <summary>Tells the reader a tensor has been copied and its data need not stay resident (a hint; reading it again still works).</summary>
    void Evict(TensorEntry e);
}
