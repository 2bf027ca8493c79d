namespace AlbertGen.Cpu;

/// <summary>One worker's attention buffers for sequences up to a given length and one head size.</summary>
internal sealed class AttentionScratch(int seq, int headSize)
{
    static int Panels(int n) => (n + Kernels.Gemm.NR - 1) / Kernels.Gemm.NR;

    public int Seq { get; } = seq;
    /// <summary>Kₕ packed as a right operand: panels(seq) × headSize × NR.</summary>
    public float[] PackedKeys { get; } = new float[Panels(seq) * Kernels.Gemm.NR * headSize];
    /// <summary>Vₕ packed: panels(headSize) × seq × NR.</summary>
    public float[] PackedValues { get; } = new float[Panels(headSize) * Kernels.Gemm.NR * seq];
    /// <summary>(seq × seq) attention scores, then probabilities.</summary>
    public float[] Scores { get; } = new float[seq * seq];
}
