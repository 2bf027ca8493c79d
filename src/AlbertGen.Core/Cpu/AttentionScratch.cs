using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>One worker's attention buffers for sequences up to a given length and one head size (packed operands 64-byte aligned).</summary>
internal sealed class AttentionScratch
{
    static int Panels(int n) => (n + Gemm.NR - 1) / Gemm.NR;

    readonly float[] _keys, _values;
    readonly int _keysOffset, _valuesOffset, _keysLength, _valuesLength;

    public AttentionScratch(int seq, int headSize)
    {
        Seq = seq;
        _keysLength = Panels(seq) * Gemm.NR * headSize;
        _valuesLength = Panels(headSize) * Gemm.NR * seq;
        _keys = AlignedFloats.Allocate(_keysLength, out _keysOffset);
        _values = AlignedFloats.Allocate(_valuesLength, out _valuesOffset);
        Scores = new float[seq * seq];
    }

    public int Seq { get; }
    /// <summary>Kₕ packed as a right operand: panels(seq) × headSize × NR.</summary>
    public Span<float> PackedKeys => _keys.AsSpan(_keysOffset, _keysLength);
    /// <summary>Vₕ packed: panels(headSize) × seq × NR.</summary>
    public Span<float> PackedValues => _values.AsSpan(_valuesOffset, _valuesLength);
    /// <summary>(seq × seq) attention scores, then probabilities.</summary>
    public float[] Scores { get; }
}
