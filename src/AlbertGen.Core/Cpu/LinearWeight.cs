using AlbertGen.Kernels;
using AlbertGen.Model;

namespace AlbertGen.Cpu;

/// <summary>
/// An <c>nn.Linear</c> weight packed for the engine: float32 panels (<see cref="PackedMatrix"/>) or, in an int8 model,
/// int8 panels with per-row scales (<see cref="QuantizedMatrix"/>, docs/decisions.md D35). Exactly one is set.
/// </summary>
internal sealed class LinearWeight
{
    public PackedMatrix? Float { get; }
    public QuantizedMatrix? Int8 { get; }
    /// <summary>Outputs.</summary>
    public int N => Float?.N ?? Int8!.N;
    /// <summary>Inputs.</summary>
    public int K => Float?.K ?? Int8!.K;

    LinearWeight(PackedMatrix? f, QuantizedMatrix? q)
    {
        Float = f;
        Int8 = q;
    }

    public static implicit operator LinearWeight(PackedMatrix packed) => new(packed, null);

    public static implicit operator LinearWeight(QuantizedMatrix packed) => new(null, packed);

    /// <summary>Packs the weight <paramref name="name"/> (n × k) as the checkpoint stores it: int8 or float.</summary>
    public static LinearWeight Load(AlbertCheckpoint ckpt, string name, int n, int k) =>
        ckpt.IsInt8(name)
            ? new LinearWeight(null, QuantizedMatrix.FromInt8(ckpt.GetInt8(name), ckpt.GetScales(name).Span, n, k))
            : new LinearWeight(PackedMatrix.FromLinearWeight(ckpt.Get(name).Span, n, k), null);

    /// <summary>
    /// Several weights with k inputs packed as one matrix, outputs concatenated (Q, K, V); all int8 or all float
    /// (a mix is an <see cref="AlbertWeightException"/> naming them).
    /// </summary>
    public static LinearWeight LoadFused(AlbertCheckpoint ckpt, int k, params string[] names)
    {
        int int8 = names.Count(ckpt.IsInt8);
        if (int8 == names.Length)
            return new LinearWeight(null, QuantizedMatrix.FromInt8(k, names.Select(n => ((ReadOnlyMemory<sbyte>)ckpt.GetInt8(n), ckpt.GetScales(n))).ToArray()));
        if (int8 > 0)
            throw new AlbertWeightException(ckpt.Path, [$"tensors {string.Join(", ", names.Select(n => $"'{n}'"))} are fused into one operand and must all be int8 or all float; found a mix"]);
        return new LinearWeight(PackedMatrix.FromLinearWeights(k, names.Select(ckpt.Get).ToArray()), null);
    }
}
