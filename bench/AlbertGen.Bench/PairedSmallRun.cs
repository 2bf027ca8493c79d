using System.Diagnostics;
using System.Globalization;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using Microsoft.ML.OnnxRuntime;

namespace AlbertGen.Bench;

/// <summary>
/// Warm all-MiniLM-L6-v2 forwards of both engines in <b>one</b> process, alternating in short blocks (D45): each pair is
/// a block of ORT and a block of ours back to back (ABBA order over pairs), each block after a pause long enough for the
/// other engine's spinning pool threads to park (ONNX Runtime's still spin 15 ms after a run: with a 15 ms pause our
/// 1 × 128 forward took 1.7× its time beside them; 100 ms by default), so the machine's slow phases — on this shared VM
/// they come and go over seconds and moved fresh-process medians by 30 % — fall on both engines of a pair. Forwards are
/// not alternated one by one: after any pause of 20 ms or more a forward of either engine runs up to 2× slower (other
/// tenants take the shared L3 and the clock drops), which measures a cold cache, not the warm engine. Reports each
/// engine's median of block medians and the median of the per-pair ratios (ours / ORT) with its quartiles, and each
/// engine's fastest forward (noise only adds time, so the minima compare the engines at the machine's best moment). The fresh-process harness (<c>small</c>) stays the measure of cold
/// start; this one is the warm comparison.
/// <para>usage: <c>dotnet run -c Release --project bench/AlbertGen.Bench -- small-paired [--pairs 20] [--block 12] [--warmup 150]
/// [--gap-ms 100] [--threads T] [--shapes 1x16,1x128,8x128]</c></para>
/// </summary>
static class PairedSmallRun
{
    public static int Run(string[] args)
    {
        int pairs = 20, block = 12, warmup = 150, gapMs = 100, threads = Environment.ProcessorCount;
        string shapes = "1x16,1x128,8x128";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--pairs": pairs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--block": block = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--gap-ms": gapMs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--shapes": shapes = args[++i]; break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        var (onnx, albert, skip) = MiniLMModel.Locate();
        if (skip is not null)
        {
            Console.WriteLine($"// skipped: {skip}");
            return 0;
        }
        OrtNativeLibrary.Install();
        using var model = CpuAlbertModel.Load(albert!, AlbertHead.Base, threads: threads);
        using var session = new InferenceSession(onnx!, new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        });
        Console.WriteLine($"// all-MiniLM-L6-v2 warm, one process, forwards alternating: ORT on {onnx}, ours on {albert}; {threads} threads; " +
            $"{warmup} warm-up forwards each, then {pairs} pairs of {block}-forward blocks, {gapMs} ms pause before each block; {CpuKernels.Family}; load average {SmallModelRun.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| shape | ORT median | ours median | ours / ORT (medians) | per-pair ratio: median | quartiles | pairs ours faster | fastest forward ORT / ours | ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var shape in shapes.Split(','))
        {
            var parts = shape.Split('x');
            int batch = int.Parse(parts[0], CultureInfo.InvariantCulture), seq = int.Parse(parts[1], CultureInfo.InvariantCulture);
            var ids = SmallModelRun.Ids(batch, seq, model.Config.VocabSize);
            var albertBatch = new AlbertBatch(batch, seq, ids);
            var inputs = SmallModelRun.OrtInputs(batch, seq, ids);
            double Ours()
            {
                long t0 = Stopwatch.GetTimestamp();
                model.Forward(albertBatch);
                return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
            double Ort()
            {
                long t0 = Stopwatch.GetTimestamp();
                using (session.Run(inputs)) { }
                return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
            // warm-up: past tiered compilation's call counts (30) for every method of the forward, then a pause for the
            // background JIT to install the optimized code (with 20 forwards our 1 × 16 still ran 2.3× its steady time)
            for (int i = 0; i < warmup; i++)
            {
                Ours();
                Ort();
            }
            Thread.Sleep(1000);
            // blocks: after a pause (spinning pool threads park) each engine runs `block` forwards back to back; the first
            // two re-warm the caches the pause let other tenants of the machine take, the median of the rest is the block's
            var ours = new double[pairs];
            var ort = new double[pairs];
            var times = new double[block];
            double oursMin = double.MaxValue, ortMin = double.MaxValue;
            double Block(Func<double> forward, ref double min)
            {
                Thread.Sleep(gapMs);
                for (int i = 0; i < block; i++) times[i] = forward();
                min = Math.Min(min, times.Skip(2).Min());
                return SmallModelRun.Median(times.Skip(2));
            }
            for (int p = 0; p < pairs; p++)
            {
                if (p % 2 == 0) ours[p] = Block(Ours, ref oursMin); else ort[p] = Block(Ort, ref ortMin);
                if (p % 2 == 0) ort[p] = Block(Ort, ref ortMin); else ours[p] = Block(Ours, ref oursMin);
            }
            var ratios = ours.Zip(ort, (a, b) => a / b).Order().ToArray();
            double om = SmallModelRun.Median(ours), rm = SmallModelRun.Median(ort);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {batch} × {seq} | {rm:F2} ms | {om:F2} ms | {om / rm:F3} | **{SmallModelRun.Median(ratios):F3}** | {ratios[pairs / 4]:F3} – {ratios[3 * pairs / 4]:F3} | {ratios.Count(r => r < 1)} of {pairs} | {ortMin:F2} / {oursMin:F2} ms | {oursMin / ortMin:F3} |"));
        }
        Console.WriteLine($"// load average at the end {SmallModelRun.LoadAverage()}");
        return 0;
    }
}
