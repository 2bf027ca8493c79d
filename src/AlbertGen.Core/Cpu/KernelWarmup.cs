using System.Runtime.CompilerServices;
using AlbertGen.Config;
using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>
/// Compiles the forward's kernels on a background thread while a model loads (D43). Under the JIT the first forward of
/// a process spent ~85 % of its time compiling (all-MiniLM-L6-v2 at 1 × 16: 110–130 of 125–150 ms on a loaded
/// machine, ~60 methods: the GEMM micro-kernels, attention, softmax, LayerNorm, the activation, System.Numerics.Tensors'
/// generic loops), while the load before it (reading and packing the weights) keeps one core busy and leaves the others
/// idle. This runs one small encoder layer of the model's shape — the jobs and kernels a forward runs, on 16 and 14
/// token rows (every tile shape of the GEMM) with 32 output columns and the model's K, head size and activation — once
/// per process, so the JIT compiles them on an idle core and the first forward finds them compiled. For an int8 model
/// (<c>quantization_config</c>) the int8 GEMM job too, with both AVX2 kernels (the shipped embedding model's first
/// forward spent 5–6 ms of its 9–19 ms compiling them).
/// <para>Nothing here touches the model: its own buffers, a one-thread runner, zero-valued weights. Skipped where
/// nothing is JIT-compiled (NativeAOT), where the model runs on one thread (the caller asked for one core), and when the
/// app sets the <c>AlbertGen.Cpu.KernelWarmup</c> AppContext switch to false. A forward that starts before the warm-up
/// finishes waits for a method another thread is compiling rather than compiling it twice.</para>
/// </summary>
internal static unsafe class KernelWarmup
{
    /// <summary>The AppContext switch that turns the warm-up off (runtimeconfig <c>configProperties</c>).</summary>
    public const string Switch = "AlbertGen.Cpu.KernelWarmup";

    static int _started;

    /// <summary>Whether <see cref="Start"/> would run the warm-up in this process (JIT present, not switched off).</summary>
    public static bool Enabled =>
        RuntimeFeature.IsDynamicCodeCompiled && !(AppContext.TryGetSwitch(Switch, out bool on) && !on);

    /// <summary>Starts the warm-up for <paramref name="config"/>'s shapes, once per process; returns at once.</summary>
    public static void Start(AlbertConfig config, int threads)
    {
        if (threads < 2 || !Enabled || Interlocked.Exchange(ref _started, 1) != 0) return;
        var thread = new Thread(() =>
        {
            try
            {
                Run(config);
            }
            catch (Exception)
            {
                // only a warm-up: whatever went wrong here happens again, and is reported, in the model's own forward
            }
        })
        { IsBackground = true, Name = "albertgen-warmup" };
        thread.Start();
    }

    /// <summary>One small layer of <paramref name="config"/>'s shapes on the calling thread (tests call it directly).</summary>
    internal static void Run(AlbertConfig config)
    {
        const int Seq = 16, Columns = 2 * Gemm.NR;
        int e = config.EmbeddingSize, h = config.HiddenSize, f = config.IntermediateSize;
        using var runner = new ParallelRunner(1);
        var ws = new CpuWorkspace(config, 1);
        ws.Ensure(Seq, 1, Seq);
        ws.SequenceStart[0] = 0;
        ws.QueryCount[0] = Seq;
        ws.KeyLength[0] = Seq;
        ws.AnyValid[0] = true;

        var ones = GC.AllocateArray<float>(Math.Max(e, h), pinned: true);
        ones.AsSpan().Fill(1f);
        var unit = PinnedVector.Of(ones);
        var unitE = PinnedVector.Over(unit.Pointer, e); // LayerNorm weight and bias at embedding size
        var word = new float[2 * e];
        var position = new float[Seq * e];
        var tokenType = new float[e];
        new EmbeddingJob().Run(runner, word, position, tokenType, unitE, unitE, config.LayerNormEps, new int[Seq], null, null, Seq, e,
            CpuWorkspace.Ptr(ws.Embeddings));

        float* hidden = CpuWorkspace.Ptr(ws.Hidden), qkv = CpuWorkspace.Ptr(ws.Qkv), context = CpuWorkspace.Ptr(ws.Context);
        float* sum = CpuWorkspace.Ptr(ws.Sum), mid = CpuWorkspace.Ptr(ws.Intermediate);
        var outputs = GC.AllocateArray<float>(2 * Seq * Columns, pinned: true);
        float* c = CpuWorkspace.Ptr(outputs), residual = c + Seq * Columns;
        var gemm = new GemmJob();
        // K = H (QKV, dense, FFN in, pooler) and K = I (FFN out); 16 rows = tiles of 6, 6, 4 and 14 rows = 6, 6, 2
        var byHidden = PackedMatrix.FromLinearWeight(new float[Columns * h], Columns, h);
        var byInner = PackedMatrix.FromLinearWeight(new float[Columns * f], Columns, f);
        foreach (int rows in (ReadOnlySpan<int>)[Seq, Seq - 2])
        {
            gemm.Run(runner, hidden, h, rows, byHidden, c, Columns, unit.Pointer, residual, ldr: Columns);
            gemm.Run(runner, hidden, h, rows, byHidden, c, Columns, unit.Pointer, activation: config.Activation);
            gemm.Run(runner, mid, f, rows, byInner, c, Columns, unit.Pointer, activation: ActivationKind.Tanh);
        }
        if (config.QuantizationMethod is not null)
        {
            // an int8 model's linear maps: both AVX2 kernels (7-bit weights pick the pair kernel, 8-bit the one-quad one,
            // per matrix: D41), at K = H and K = I, with a residual and with the activation; the activations' quantizer too
            var int8 = new QuantizedGemmJob();
            foreach (sbyte extreme in (ReadOnlySpan<sbyte>)[QuantizedMatrix.ReducedQMax, 127])
            {
                var qHidden = QuantizedInt8(Columns, h, extreme);
                var qInner = QuantizedInt8(Columns, f, extreme);
                foreach (int rows in (ReadOnlySpan<int>)[Seq, Seq - 2])
                {
                    int8.Run(runner, hidden, h, rows, qHidden, c, Columns, unit.Pointer, residual, ldr: Columns);
                    int8.Run(runner, hidden, h, rows, qHidden, c, Columns, unit.Pointer, activation: config.Activation);
                    int8.Run(runner, mid, f, rows, qInner, c, Columns, unit.Pointer);
                }
            }
        }
        // attention with a mask (its last key masked), then a sequence with no attended key
        var mask = new int[Seq];
        mask.AsSpan(0, Seq - 1).Fill(1);
        new AttentionJob().Run(runner, ws, qkv, context, 1, h, config.NumAttentionHeads, mask);
        ws.AnyValid[0] = false;
        new AttentionJob().Run(runner, ws, qkv, context, 1, h, config.NumAttentionHeads, mask: null);
        new LayerNormJob().Run(runner, sum, hidden, Seq, h, unit.Pointer, unit.Pointer, config.LayerNormEps);
        GC.KeepAlive(outputs);
        GC.KeepAlive(ones);
    }

    /// <summary>An n × k int8 matrix of zeros but one weight of <paramref name="extreme"/> (which sets the kernel it gets), unit scales.</summary>
    static QuantizedMatrix QuantizedInt8(int n, int k, sbyte extreme)
    {
        var q = new sbyte[n * k];
        q[0] = extreme;
        var scales = new float[n];
        scales.AsSpan().Fill(1f);
        return QuantizedMatrix.FromInt8(q, scales, n, k);
    }
}
