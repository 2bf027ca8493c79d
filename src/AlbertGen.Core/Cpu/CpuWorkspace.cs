using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AlbertGen.Config;

namespace AlbertGen.Cpu;

/// <summary>
/// Per-forward scratch, cut into named pinned buffers (llm.c's activation arena). Sized for a token count and a
/// sequence length and grown only when a larger batch arrives, so steady-state forwards allocate nothing here.
/// Shapes are per token row (tokens = sequences × seq for a padded batch, the real tokens of a packed one).
/// </summary>
internal sealed unsafe class CpuWorkspace
{
    readonly AlbertConfig _config;
    readonly AttentionScratch?[] _attention; // one per worker, made by Ensure

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
    // per sequence: where its rows start in the token buffers, how many rows it has there (padded: seq; packed: its
    // length), how many keys attention reads, whether any key is attended
    public int[] SequenceStart { get; private set; } = [];  // (sequences)
    public int[] QueryCount { get; private set; } = [];     // (sequences)
    public int[] KeyLength { get; private set; } = [];      // (sequences)
    public bool[] AnyValid { get; private set; } = [];      // (sequences)
    public int[] Positions { get; private set; } = [];      // (tokens) — position ids of a packed batch

    /// <summary>
    /// Grows the buffers for <paramref name="tokens"/> token rows in <paramref name="sequences"/> sequences of at most
    /// <paramref name="longest"/> tokens (sizes in 64-bit; the caller checks the token budget).
    /// </summary>
    public void Ensure(long tokens, int sequences, int longest)
    {
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
            Positions = new int[tokens];
            TokenCapacity = (int)tokens;
        }
        if (sequences > KeyLength.Length)
        {
            SequenceStart = new int[sequences];
            QueryCount = new int[sequences];
            KeyLength = new int[sequences];
            AnyValid = new bool[sequences];
        }
        if (longest > SequenceCapacity)
        {
            // every worker's scratch now, on the caller: which worker runs which head depends on timing, and a scratch
            // made lazily by whichever thread first got a head made a later forward allocate on the calling thread
            for (int i = 0; i < _attention.Length; i++) _attention[i] = new AttentionScratch(longest, _config.HeadSize);
            SequenceCapacity = longest;
        }
    }

    public AttentionScratch AttentionScratch(int worker) => _attention[worker]!;

    static float[] Pinned(long n) => n <= Array.MaxLength ? GC.AllocateArray<float>((int)n, pinned: true)
        : throw new InvalidOperationException($"a workspace buffer of {n} floats is past the array limit; CpuAlbertModel.MaxTokens should have refused this batch");

    /// <summary>Address of a pinned buffer.</summary>
    public static float* Ptr(float[] pinned) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
}
