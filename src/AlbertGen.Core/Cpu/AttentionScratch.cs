using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>One worker's attention buffers for sequences up to a given length and one head size (packed operands 64-byte aligned).</summary>
internal sealed class AttentionScratch
{
    static int Panels(int n) => (n + Gemm.NR - 1) / Gemm.NR;

    readonly float[] _keys, _values, _rows;
    readonly int _keysOffset, _valuesOffset, _rowsOffset, _keysLength, _valuesLength, _rowsLength;

    public AttentionScratch(int seq, int headSize)
    {
        Seq = seq;
        _keysLength = Panels(seq) * Gemm.NR * headSize;
        _valuesLength = Panels(headSize) * Gemm.NR * seq;
        _keys = AlignedFloats.Allocate(_keysLength, out _keysOffset);
        _values = AlignedFloats.Allocate(_valuesLength, out _valuesOffset);
        _rowsLength = checked((int)Gemm.PackedALength(seq, Math.Max(seq, headSize)));
        _rows = AlignedFloats.Allocate(_rowsLength, out _rowsOffset);
        Scores = new float[seq * seq];
        MaskedKeys = new int[seq];
    }

    public int Seq { get; }
    /// <summary>Kₕ packed as a right operand: panels(seq) × headSize × NR.</summary>
    public Span<float> PackedKeys => _keys.AsSpan(_keysOffset, _keysLength);
    /// <summary>Vₕ packed: panels(headSize) × seq × NR.</summary>
    public Span<float> PackedValues => _values.AsSpan(_valuesOffset, _valuesLength);
    /// <summary>The left operand packed in row tiles: Qₕ (queries × headSize), then the probabilities (queries × keys).</summary>
    public Span<float> PackedRows => _rows.AsSpan(_rowsOffset, _rowsLength);
    /// <summary>(seq × seq) attention scores, then probabilities.</summary>
    public float[] Scores { get; }
    /// <summary>The masked key positions of the sequence at hand (the first <c>count</c> entries).</summary>
    public int[] MaskedKeys { get; }
}
