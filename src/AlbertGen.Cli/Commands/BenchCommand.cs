using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen bench</c>: llama-bench-style timing of one model on random ids of a given shape — load time, first
/// result (load included), cold forwards (the first <c>--cold</c> of the process, each timed: JIT and tiering show
/// here), warm median and min (after <c>--warmup</c> more), tokens/s, peak RSS. <c>--json</c> ends with one JSON object.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model folder: config.json + model.safetensors or pytorch_model.bin", Required = true };
        var batch = new Option<int>("--batch") { Description = "sequences per forward", DefaultValueFactory = _ => 1 };
        var seq = new Option<int>("--seq") { Description = "tokens per sequence", DefaultValueFactory = _ => 128 };
        var runs = new Option<int>("--runs") { Description = "timed forwards", DefaultValueFactory = _ => 10 };
        var cold = new Option<int>("--cold") { Description = "forwards timed as cold: the first N of the process, the first included", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int>("--warmup") { Description = "untimed forwards after the cold ones, before the timed warm runs", DefaultValueFactory = _ => 2 };
        var threads = new Option<int>("--threads") { Description = "threads (0 = one per processor)", DefaultValueFactory = _ => 0 };
        var head = new Option<string>("--head") { Description = "head to run (default base: the encoder and pooler)", DefaultValueFactory = _ => "base" };
        var json = new Option<bool>("--json") { Description = "print one JSON object as the last line" };
        var cmd = new Command("bench", "Time forwards on random ids (compare machines and settings)") { model, batch, seq, runs, cold, warmup, threads, head, json };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(model)!, r.GetValue(batch), r.GetValue(seq), r.GetValue(runs), r.GetValue(cold), r.GetValue(warmup),
            r.GetValue(threads), r.GetValue(head)!, r.GetValue(json))));
        return cmd;
    }

    static int Run(string modelDir, int batch, int seq, int runs, int coldRuns, int warmup, int threads, string headName, bool json)
    {
        foreach (var (name, value, least) in new[] { ("--batch", batch, 1), ("--seq", seq, 1), ("--runs", runs, 1), ("--cold", coldRuns, 1), ("--warmup", warmup, 0), ("--threads", threads, 0) })
        {
            if (value < least)
                throw new ArgumentException($"{name} must be ≥ {least} (got {value})");
        }
        if (!AlbertHeads.TryParseCliName(headName, out var head))
            throw new ArgumentException($"--head: unknown head '{headName}'");
        var total = Stopwatch.StartNew();
        var config = AlbertConfig.Load(modelDir);
        if (seq > config.MaxPositionEmbeddings)
            throw new ArgumentException($"--seq {seq} exceeds max_position_embeddings ({config.MaxPositionEmbeddings})");
        using var model = CpuAlbertModel.Load(config, AlbertGen.Checkpoints.CheckpointFiles.Find(modelDir), head, threads);
        double loadMs = total.Elapsed.TotalMilliseconds;

        var rng = new Random(1234);
        var ids = new int[batch * seq];
        for (int i = 0; i < ids.Length; i++) ids[i] = rng.Next(Math.Min(5, config.VocabSize - 1), config.VocabSize);
        var input = new AlbertBatch(batch, seq, ids, numChoices: head == AlbertHead.MultipleChoice ? batch : 0);

        // cold: the process's first forwards, each timed (the first one's JIT included; D38)
        var cold = new double[coldRuns];
        double firstMs = 0, firstJitMs = 0;
        long firstJitMethods = 0;
        for (int i = 0; i < coldRuns; i++)
        {
            var jit0 = System.Runtime.JitInfo.GetCompilationTime();
            long methods0 = System.Runtime.JitInfo.GetCompiledMethodCount();
            long t0 = Stopwatch.GetTimestamp();
            model.Forward(input);
            cold[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (i == 0)
            {
                firstMs = total.Elapsed.TotalMilliseconds;
                // the JIT's share of the first forward (all threads: the pool's workers compile too)
                firstJitMs = (System.Runtime.JitInfo.GetCompilationTime() - jit0).TotalMilliseconds;
                firstJitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - methods0;
            }
        }
        double coldMean = cold.Average(), coldFirst = cold[0];
        // what the JIT did so far (0 in a NativeAOT build): methods compiled and time spent, load and cold forwards included
        long jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        double jitMs = System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds;
        // warm: after the cold forwards and the warm-up
        for (int i = 0; i < warmup; i++) model.Forward(input);
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            model.Forward(input);
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        double median = Median(times);
        double min = times.Min();
        double coldMedian = Median(cold);
        double tokensPerSecond = batch * seq / (median / 1000);
        long peakRss = PeakRssBytes();

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"model      {modelDir} ({head.CliName()}, H={config.HiddenSize}, layers={config.NumHiddenLayers}, groups={config.NumHiddenGroups})");
        Console.WriteLine($"shape      batch {batch} × seq {seq}, threads {model.Threads}, {coldRuns} cold + {warmup} warm-up + {runs} warm runs");
        Console.WriteLine($"kernels    {CpuKernels.Family}");
        Console.WriteLine(string.Format(inv, "load       {0,10:F1} ms", loadMs));
        Console.WriteLine(string.Format(inv, "first      {0,10:F1} ms  (process work from load start to the first result)", firstMs));
        Console.WriteLine(string.Format(inv, "cold mean  {0,10:F2} ms  (first {1} forwards of the process: first {2:F2} ms, median {3:F2} ms; {4:F2}× warm)",
            coldMean, coldRuns, coldFirst, coldMedian, coldMean / median));
        Console.WriteLine(string.Format(inv, "jit        {0,10:F1} ms  ({1} methods compiled by the end of the cold forwards; in the first forward {2:F1} ms, {3} methods)",
            jitMs, jitMethods, firstJitMs, firstJitMethods));
        Console.WriteLine(string.Format(inv, "median     {0,10:F2} ms  (warm)", median));
        Console.WriteLine(string.Format(inv, "min        {0,10:F2} ms  (warm)", min));
        Console.WriteLine(string.Format(inv, "tokens/s   {0,10:F0}", tokensPerSecond));
        Console.WriteLine(string.Format(inv, "peak RSS   {0,10:F1} MiB", peakRss / 1048576.0));
        if (json)
        {
            using var stream = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("model", modelDir);
                w.WriteString("head", head.CliName());
                w.WriteNumber("batch", batch);
                w.WriteNumber("seq", seq);
                w.WriteNumber("threads", model.Threads);
                w.WriteString("kernels", CpuKernels.Family);
                w.WriteNumber("runs", runs);
                w.WriteNumber("warmup", warmup);
                w.WriteNumber("cold_runs", coldRuns);
                w.WriteNumber("load_ms", Math.Round(loadMs, 3));
                w.WriteNumber("first_result_ms", Math.Round(firstMs, 3));
                w.WriteNumber("median_ms", Math.Round(median, 3));
                w.WriteNumber("min_ms", Math.Round(min, 3));
                w.WriteNumber("cold_first_ms", Math.Round(coldFirst, 3));
                w.WriteNumber("cold_mean_ms", Math.Round(coldMean, 3));
                w.WriteNumber("cold_median_ms", Math.Round(coldMedian, 3));
                w.WriteNumber("cold_over_warm", Math.Round(coldMean / median, 3));
                w.WriteNumber("jit_ms", Math.Round(jitMs, 3));
                w.WriteNumber("jit_methods", jitMethods);
                w.WriteNumber("first_forward_jit_ms", Math.Round(firstJitMs, 3));
                w.WriteNumber("first_forward_jit_methods", firstJitMethods);
                w.WriteNumber("tokens_per_s", Math.Round(tokensPerSecond, 1));
                w.WriteNumber("peak_rss_bytes", peakRss);
                w.WriteEndObject();
            }
            stream.Write("\n"u8);
        }
        return 0;
    }

    static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>VmHWM from /proc/self/status (Linux); the process's peak working set elsewhere.</summary>
    static long PeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
