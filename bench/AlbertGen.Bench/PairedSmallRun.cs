using System.Diagnostics;
using System.Globalization;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using Microsoft.ML.OnnxRuntime;

namespace AlbertGen.Bench;

/// <summary>
/// Warm forwards of several engines in <b>one</b> process, taking turns in short blocks (D45): each round runs one block
/// per engine (the order rotates from round to round), each block after a pause long enough for the other engines'
/// spinning pool threads to park (ONNX Runtime's still spin 15 ms after a run: with a 15 ms pause our 1 × 128 forward
/// took 1.7× its time beside them; 100 ms by default), so the machine's slow phases — on this shared VM they come and go
/// over seconds and moved fresh-process medians by 30 % — fall on every engine of a round. Forwards are not alternated
/// one by one: after any pause of 20 ms or more a forward of either engine runs up to 2× slower (other tenants take the
/// shared L3 and the clock drops), which measures a cold cache, not the warm engine. Reports each engine's median of
/// block medians, the median of its per-round ratios to the first engine with their quartiles, and its fastest forward
/// (noise only adds time, so the minima compare the engines at the machine's best moment).
/// <para><c>small-paired</c>: all-MiniLM-L6-v2, ONNX Runtime on the original graph against ours on its conversion.
/// <c>paired --engine ort:FILE.onnx --engine ours:DIR …</c>: any engines on one shape set (e.g. the base shape:
/// <c>ort:bench/models/base/model.onnx ours:bench/models/base ours:bench/models/base-int8
/// ort:bench/models/base/model-int8.onnx</c>); the first engine is the reference.</para>
/// <para>options: <c>[--rounds 20] [--block 12] [--warmup 150] [--gap-ms 100] [--threads T] [--shapes 1x16,1x128,8x128]</c></para>
/// </summary>
static class PairedSmallRun
{
    sealed record Engine(string Name, Func<int, int, int[], Func<double>> Prepare, IDisposable Owner);

    public static int Run(string[] args, bool miniLM)
    {
        int rounds = 20, block = 12, warmup = 150, gapMs = 100, threads = Environment.ProcessorCount;
        string shapes = "1x16,1x128,8x128";
        var specs = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds" or "--pairs": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--block": block = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--gap-ms": gapMs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--shapes": shapes = args[++i]; break;
                case "--engine": specs.Add(args[++i]); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        string what;
        if (miniLM)
        {
            var (onnx, albert, skip) = MiniLMModel.Locate();
            if (skip is not null)
            {
                Console.WriteLine($"// skipped: {skip}");
                return 0;
            }
            specs = [$"ort:{onnx}", $"ours:{albert}"];
            what = "all-MiniLM-L6-v2 (ONNX Runtime on the original graph, ours on its conversion)";
        }
        else
        {
            if (specs.Count < 2) throw new ArgumentException("paired needs two or more --engine ort:FILE.onnx | ours:DIR (the first is the reference)");
            what = "engines " + string.Join(", ", specs);
        }
        OrtNativeLibrary.Install();
        var engines = specs.Select(spec => Open(spec, threads)).ToList();
        try
        {
            Console.WriteLine($"// {what}; {threads} threads; {warmup} warm-up forwards each, then {rounds} rounds of one " +
                $"{block}-forward block per engine, {gapMs} ms pause before each block; {CpuKernels.Family}; load average {SmallModelRun.LoadAverage()}");
            Console.WriteLine();
            Console.WriteLine($"| shape | engine | median | per-round ratio to {engines[0].Name}: median | quartiles | rounds faster | fastest forward | its ratio |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
            var matrices = new List<string>();
            foreach (var shape in shapes.Split(','))
            {
                var parts = shape.Split('x');
                int batch = int.Parse(parts[0], CultureInfo.InvariantCulture), seq = int.Parse(parts[1], CultureInfo.InvariantCulture);
                var forwards = engines.Select(e => e.Prepare(batch, seq, SmallModelRun.Ids(batch, seq, 30000))).ToArray();
                // warm-up: past tiered compilation's call counts (30) for every method of the forward, then a pause for the
                // background JIT to install the optimized code (with 20 forwards our 1 × 16 still ran 2.3× its steady time)
                for (int i = 0; i < warmup; i++)
                {
                    foreach (var f in forwards) f();
                }
                Thread.Sleep(1000);
                // a block: after the pause, `block` forwards back to back; the first two re-warm the caches the pause let
                // other tenants of the machine take, the median of the rest is the block's
                var medians = new double[engines.Count, rounds];
                var fastest = Enumerable.Repeat(double.MaxValue, engines.Count).ToArray();
                var times = new double[block];
                for (int r = 0; r < rounds; r++)
                {
                    for (int t = 0; t < engines.Count; t++)
                    {
                        int e = (r + t) % engines.Count;
                        Thread.Sleep(gapMs);
                        for (int i = 0; i < block; i++) times[i] = forwards[e]();
                        medians[e, r] = SmallModelRun.Median(times.Skip(2));
                        fastest[e] = Math.Min(fastest[e], times.Skip(2).Min());
                    }
                }
                for (int e = 0; e < engines.Count; e++)
                {
                    var own = Enumerable.Range(0, rounds).Select(r => medians[e, r]).ToArray();
                    var ratios = Enumerable.Range(0, rounds).Select(r => medians[e, r] / medians[0, r]).Order().ToArray();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {batch} × {seq} | {engines[e].Name} | {SmallModelRun.Median(own):F2} ms | **{SmallModelRun.Median(ratios):F3}** | {ratios[rounds / 4]:F3} – {ratios[3 * rounds / 4]:F3} | {(e == 0 ? "—" : $"{ratios.Count(x => x < 1)} of {rounds}")} | {fastest[e]:F2} ms | {fastest[e] / fastest[0]:F3} |"));
                }
                if (engines.Count > 2)
                {
                    // every pair of engines: the median over rounds of row engine / column engine
                    var m = new System.Text.StringBuilder();
                    m.AppendLine(CultureInfo.InvariantCulture, $"{batch} × {seq}, per-round ratio medians (row / column):");
                    m.AppendLine();
                    m.AppendLine("| | " + string.Join(" | ", engines.Select(e => e.Name)) + " |");
                    m.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", engines.Count)));
                    for (int a = 0; a < engines.Count; a++)
                    {
                        var cells = Enumerable.Range(0, engines.Count).Select(b => SmallModelRun.Median(
                            Enumerable.Range(0, rounds).Select(r => medians[a, r] / medians[b, r])).ToString("F3", CultureInfo.InvariantCulture));
                        m.AppendLine($"| {engines[a].Name} | " + string.Join(" | ", cells) + " |");
                    }
                    matrices.Add(m.ToString());
                }
            }
            foreach (var m in matrices)
            {
                Console.WriteLine();
                Console.Write(m);
            }
            Console.WriteLine($"// load average at the end {SmallModelRun.LoadAverage()}");
        }
        finally
        {
            foreach (var e in engines) e.Owner.Dispose();
        }
        return 0;
    }

    static Engine Open(string spec, int threads)
    {
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string kind = colon > 0 ? spec[..colon] : "", path = colon > 0 ? spec[(colon + 1)..] : spec;
        if (kind == "ort")
        {
            var session = new InferenceSession(path, new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            });
            return new Engine($"ORT {Path.GetFileName(path)}", (batch, seq, ids) =>
            {
                var inputs = SmallModelRun.OrtInputs(batch, seq, ids);
                return () =>
                {
                    long t0 = Stopwatch.GetTimestamp();
                    using (session.Run(inputs)) { }
                    return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                };
            }, session);
        }
        if (kind == "ours")
        {
            var model = CpuAlbertModel.Load(path, AlbertHead.Base, threads: threads);
            string name = model.Config.QuantizationMethod is null ? "ours fp32" : "ours int8";
            return new Engine($"{name} {Path.GetFileName(Path.TrimEndingDirectorySeparator(path))}", (batch, seq, ids) =>
            {
                var albertBatch = new AlbertBatch(batch, seq, ids.Select(i => i % model.Config.VocabSize).ToArray());
                return () =>
                {
                    long t0 = Stopwatch.GetTimestamp();
                    model.Forward(albertBatch);
                    return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                };
            }, model);
        }
        throw new ArgumentException($"--engine {spec}: expected ort:FILE.onnx or ours:MODEL_DIR");
    }
}
