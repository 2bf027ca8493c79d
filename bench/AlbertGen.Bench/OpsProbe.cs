using System.Diagnostics;
using System.Globalization;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Kernels;

namespace AlbertGen.Bench;

/// <summary>
/// Per-op times of one all-MiniLM-L6-v2-shaped layer (H 384, I 1536, 12 heads of 32; random weights, no model file)
/// at batch × seq tokens on the engine's jobs and pool: the FFN-in GEMM with and without its GELU, the GELU pass
/// alone, the FFN-out GEMM (same MACs) and attention. Min over rounds of the time for <c>--reps</c> calls, in one process,
/// so two builds compare by running this alternately (D43).
/// <para>usage: <c>dotnet run -c Release --project bench/AlbertGen.Bench -- ops [--batch 8] [--seq 128] [--threads 2] [--rounds 15] [--reps 6]</c></para>
/// </summary>
static unsafe class OpsProbe
{
    public static void Run(string[] args)
    {
        int batch = 8, seq = 128, threads = Environment.ProcessorCount, rounds = 15, reps = 6;
        for (int i = 0; i < args.Length; i++)
        {
            int v = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i++])
            {
                case "--batch": batch = v; break;
                case "--seq": seq = v; break;
                case "--threads": threads = v; break;
                case "--rounds": rounds = v; break;
                case "--reps": reps = v; break;
                default: throw new ArgumentException($"unknown argument {args[i - 1]}");
            }
        }
        var config = AlbertConfig.Parse("""
            {"model_type": "albert", "vocab_size": 30522, "embedding_size": 384, "hidden_size": 384, "num_hidden_layers": 6,
             "num_attention_heads": 12, "intermediate_size": 1536, "hidden_act": "gelu", "max_position_embeddings": 512}
            """);
        int h = 384, f = 1536, tokens = batch * seq;
        var rng = new Random(7);
        float[] Rand(int n, float s) { var x = GC.AllocateArray<float>(n, pinned: true); for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * s; return x; }
        var x = Rand(tokens * h, 1f);
        var mid = Rand(tokens * f, 1f);
        var outH = Rand(tokens * h, 1f);
        var qkv = Rand(tokens * 3 * h, 1f);
        var ctx = Rand(tokens * h, 1f);
        var bias = Rand(f, 0.1f);
        var ffn = PackedMatrix.FromLinearWeight(Rand(f * h, 0.05f), f, h);
        var ffnOut = PackedMatrix.FromLinearWeight(Rand(h * f, 0.05f), h, f);
        using var runner = new ParallelRunner(threads);
        var ws = new CpuWorkspace(config, threads);
        ws.Ensure(tokens, batch, seq);
        for (int s = 0; s < batch; s++) { ws.SequenceStart[s] = s * seq; ws.QueryCount[s] = seq; ws.KeyLength[s] = seq; ws.AnyValid[s] = true; }
        var gemm = new GemmJob();
        var attention = new AttentionJob();
        var act = new ActivationPass();
        float* px = CpuWorkspace.Ptr(x), pmid = CpuWorkspace.Ptr(mid), pout = CpuWorkspace.Ptr(outH), pqkv = CpuWorkspace.Ptr(qkv);
        float* pctx = CpuWorkspace.Ptr(ctx), pbias = CpuWorkspace.Ptr(bias);
        var ops = new (string Name, Action Op)[]
        {
            ("ffn-in GEMM + GELU", () => gemm.Run(runner, px, h, tokens, ffn, pmid, f, pbias, activation: ActivationKind.GeluErf)),
            ("ffn-in GEMM", () => gemm.Run(runner, px, h, tokens, ffn, pmid, f, pbias)),
            ("GELU pass", () => act.Run(runner, mid, tokens, f)),
            ("ffn-out GEMM", () => gemm.Run(runner, pmid, f, tokens, ffnOut, pout, h, pbias, residual: px, ldr: h)),
            ("attention", () => attention.Run(runner, ws, pqkv, pctx, batch, h, 12, null)),
        };
        var best = new double[ops.Length];
        Array.Fill(best, double.MaxValue);
        for (int r = 0; r < rounds; r++)
        {
            for (int o = 0; o < ops.Length; o++)
            {
                // reset the GELU input each time: the pass runs on fresh pre-activations, not on its own output
                if (ops[o].Name == "GELU pass") Array.Copy(x, 0, mid, 0, Math.Min(x.Length, mid.Length));
                long t0 = Stopwatch.GetTimestamp();
                for (int k = 0; k < reps; k++) ops[o].Op();
                best[o] = Math.Min(best[o], Stopwatch.GetElapsedTime(t0).TotalMilliseconds / reps);
            }
        }
        Console.WriteLine($"// ops probe: {batch} x {seq} tokens, H {h}, I {f}, 12 heads, {threads} threads; min over {rounds} rounds of {reps} calls ({CpuKernels.Family})");
        for (int o = 0; o < ops.Length; o++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ops[o].Name,-20} {best[o],8:F3} ms"));
    }

    /// <summary>The activation alone over tokens × I, split into row chunks like the GEMM's tasks.</summary>
    sealed class ActivationPass : IParallelJob
    {
        float[] _x = [];
        int _rows, _cols, _chunk;

        public void Run(ParallelRunner runner, float[] x, int rows, int cols)
        {
            _x = x; _rows = rows; _cols = cols;
            int tasks = 4 * runner.Threads;
            _chunk = (rows + tasks - 1) / tasks;
            runner.For(tasks, this);
        }

        public void Execute(int index, int worker)
        {
            int r0 = index * _chunk, r1 = Math.Min(_rows, r0 + _chunk);
            if (r1 > r0) ActivationKernels.Apply(ActivationKind.GeluErf, _x.AsSpan(r0 * _cols, (r1 - r0) * _cols));
        }
    }
}
