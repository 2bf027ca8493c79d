using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AlbertGen.Config;

namespace AlbertGen.Cpu;

/// <summary>
/// Per-forward scratch, cut into named pinned buffers (llm.c's activation arena). Sized for a token count and a
/// sequence length and grown only when a larger batch arrives, so steady-state forwards allocate nothing here.
/// Shapes are per token row (tokens = sequences × seq).
/// </summary>
internal sealed unsafe class CpuWorkspace
{
    readonly AlbertConfig _config;
    readonly AttentionScratch?[] _attention;

    public CpuWorkspace(AlbertConfig config, int threads)
    {
        _config = config;
        _attention = new AttentionScratch?[threads];
    }

    public int TokenCapacity { get; private set; }
    public int SequenceCapacity { get; private set; }

    public float[] Embeddings { get; private set; } = [];   // (tokens, E)
    public float[] Hidden { get; private set; } = [];       // (tokens, H) — the residual stream
    public float[] Qkv { get; private set; } = [];          // (tokens, 3H)
    public float[] Context { get; private set; } = [];      // (tokens, H)
    public float[] Sum { get; private set; } = [];          // (tokens, H) — sublayer output + residual, before LayerNorm
    public float[] Attended { get; private set; } = [];     // (tokens, H) — attention block output
    public float[] Intermediate { get; private set; } = []; // (tokens, I) — act(ffn(x)); reused as (tokens, E) by the MLM head
    public int[] KeyLength { get; private set; } = [];      // (sequences)
    public bool[] AnyValid { get; private set; } = [];      // (sequences)

    /// <summary>Grows the buffers for <paramref name="sequences"/> × <paramref name="seq"/> tokens (sizes in 64-bit; the caller checks the token budget).</summary>
    public void Ensure(int sequences, int seq)
    {
        long tokens = (long)sequences * seq;
        if (tokens > TokenCapacity)
        {
            var c = _config;
            Embeddings = Pinned((long)tokens * c.EmbeddingSize);
            Hidden = Pinned((long)tokens * c.HiddenSize);
            Qkv = Pinned((long)tokens * 3 * c.HiddenSize);
            Context = Pinned((long)tokens * c.HiddenSize);
            Sum = Pinned((long)tokens * c.HiddenSize);
            Attended = Pinned((long)tokens * c.HiddenSize);
            Intermediate = Pinned((long)tokens * Math.Max(c.IntermediateSize, c.EmbeddingSize));
            TokenCapacity = (int)tokens;
        }
        if (sequences > KeyLength.Length)
        {
            KeyLength = new int[sequences];
            AnyValid = new bool[sequences];
        }
        if (seq > SequenceCapacity)
        {
            Array.Clear(_attention);
            SequenceCapacity = seq;
        }
    }

    public AttentionScratch AttentionScratch(int worker) =>
        _attention[worker] ??= new AttentionScratch(SequenceCapacity, _config.HeadSize);

    static float[] Pinned(long n) => n <= Array.MaxLength ? GC.AllocateArray<float>((int)n, pinned: true)
        : throw new InvalidOperationException($"a workspace buffer of {n} floats is past the array limit; CpuAlbertModel.MaxTokens should have refused this batch");

    /// <summary>Address of a pinned buffer.</summary>
    public static float* Ptr(float[] pinned) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
}
