using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AlbertGen.Bench;

/// <summary>
/// Cold and warm forwards of all-MiniLM-L6-v2 (<see cref="MiniLMModel"/>): the CLI (<c>albertgen bench --json</c>,
/// our engine as users start it) against ONNX Runtime on the original graph (<c>small-ort</c>, this program in a
/// child process), each case a fresh process, so "cold" is what a new process sees: the first <c>--cold</c> forwards
/// (JIT, tiering, ORT's first-run allocations) after the load; "warm" is the median of <c>--runs</c> forwards after
/// <c>--warmup</c> more. Both sides use the same thread count (ORT: intra-op threads = ours), the same random ids, and
/// the rounds alternate which engine goes first, so a loaded machine's slow phases fall on both. The table is the median
/// over rounds of each process's figures.
/// <para>usage: <c>dotnet run -c Release --project bench/AlbertGen.Bench -- small [--rounds N] [--runs N] [--warmup N]
/// [--cold N] [--threads T] [--shapes 1x16,1x128,8x128] [--cli path/albertgen.dll]</c> (build the CLI first:
/// <c>dotnet build src/AlbertGen.Cli -c Release</c>)</para>
/// </summary>
static class SmallModelRun
{
    sealed record Figures(double Load, double ColdFirst, double ColdMean, double Warm);

    public static int Run(string[] args)
    {
        int rounds = 3, runs = 30, warmup = 50, cold = 10, threads = Environment.ProcessorCount;
        string shapes = "1x16,1x128,8x128";
        string cli = Path.Combine(RepositoryRoot.Find(), "src", "AlbertGen.Cli", "bin", "Release", "net10.0", "albertgen.dll");
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--cold": cold = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--shapes": shapes = args[++i]; break;
                case "--cli": cli = Path.GetFullPath(args[++i]); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        var (onnx, albert, skip) = MiniLMModel.Locate();
        if (skip is not null)
        {
            Console.WriteLine($"// skipped: {skip}");
            return 0;
        }
        if (!File.Exists(cli))
            throw new InvalidOperationException($"{cli} not found: dotnet build src/AlbertGen.Cli -c Release first (or pass --cli)");
        CheckAgreement(onnx!, albert!);

        string self = typeof(SmallModelRun).Assembly.Location;
        Console.WriteLine($"// all-MiniLM-L6-v2: {onnx} (ONNX Runtime) vs {albert} ({cli}); {threads} threads; " +
            $"{cold} cold + {warmup} warm-up + {runs} warm forwards per process; {rounds} rounds; load average {LoadAverage()}");
        var results = new Dictionary<(string Shape, string Engine), List<Figures>>();
        foreach (var shape in shapes.Split(','))
        {
            var parts = shape.Split('x');
            string batch = parts[0], seq = parts[1];
            for (int round = 0; round < rounds; round++)
            {
                string[] engines = round % 2 == 0 ? ["ours", "ort"] : ["ort", "ours"];
                foreach (var engine in engines)
                {
                    string[] common = ["--batch", batch, "--seq", seq, "--runs", $"{runs}", "--warmup", $"{warmup}", "--cold", $"{cold}", "--threads", $"{threads}", "--json"];
                    string[] argv = engine == "ours"
                        ? [cli, "bench", "--model", albert!, .. common]
                        : [self, "small-ort", "--onnx", onnx!, .. common];
                    var f = Child(argv);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"// {shape} round {round + 1} {engine,-4}: load {f.Load,7:F1} ms, cold first {f.ColdFirst,8:F2} ms, cold mean {f.ColdMean,8:F2} ms, warm median {f.Warm,8:F2} ms"));
                    results.TryAdd((shape, engine), []);
                    results[(shape, engine)].Add(f);
                }
            }
        }
        Console.WriteLine($"// load average at the end {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| shape | warm ORT | warm ours | ratio | cold ORT (mean of first " + cold + ") | cold ours | ratio | ours cold / warm | ORT cold / warm | first forward ORT / ours |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var shape in shapes.Split(','))
        {
            var o = results[(shape, "ours")];
            var r = results[(shape, "ort")];
            double ow = Median(o.Select(f => f.Warm)), rw = Median(r.Select(f => f.Warm));
            double oc = Median(o.Select(f => f.ColdMean)), rc = Median(r.Select(f => f.ColdMean));
            double of = Median(o.Select(f => f.ColdFirst)), rf = Median(r.Select(f => f.ColdFirst));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {shape.Replace("x", " × ", StringComparison.Ordinal)} | {rw:F2} ms | {ow:F2} ms | **{ow / rw:F2}** | {rc:F2} ms | {oc:F2} ms | **{oc / rc:F2}** | {oc / ow:F2} | {rc / rw:F2} | {rf:F1} / {of:F1} ms |"));
        }
        return 0;
    }

    /// <summary>The engines must compute the same thing before they are compared: last_hidden_state at 1 × 16.</summary>
    static void CheckAgreement(string onnx, string albert)
    {
        OrtNativeLibrary.Install();
        var ids = Ids(1, 16, AlbertConfig.Load(albert).VocabSize);
        float[] ours;
        using (var cpu = CpuAlbertModel.Load(albert, AlbertHead.Base, threads: 1))
            ours = cpu.Forward(new AlbertBatch(1, 16, ids)).LastHiddenState!.Data;
        using var session = new InferenceSession(onnx);
        using var results = session.Run(OrtInputs(1, 16, ids));
        var theirs = results.First(r => r.Name == "last_hidden_state").AsTensor<float>().ToArray();
        double rel = TensorCompare.RelativeError(ours, theirs);
        Console.WriteLine($"// CPU engine vs ONNX Runtime last_hidden_state relative error: {rel:E2}");
        if (rel > 1e-4)
            throw new InvalidOperationException($"CPU engine and ONNX Runtime disagree (relative error {rel:E2}): not the same model");
    }

    static Figures Child(string[] argv)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in argv) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', argv)} exited {p.ExitCode}: {stderr.Result}");
        using var doc = JsonDocument.Parse(stdout.Result.TrimEnd().Split('\n')[^1]);
        var j = doc.RootElement;
        return new Figures(j.GetProperty("load_ms").GetDouble(), j.GetProperty("cold_first_ms").GetDouble(),
            j.GetProperty("cold_mean_ms").GetDouble(), j.GetProperty("median_ms").GetDouble());
    }

    /// <summary>
    /// The ONNX Runtime side, in its own process: session creation (load), then the same schedule as <c>albertgen
    /// bench</c> — <c>--cold</c> forwards each timed, <c>--warmup</c> untimed, <c>--runs</c> timed — printing the same
    /// JSON fields.
    /// </summary>
    public static int OrtChild(string[] args)
    {
        string onnx = "";
        int batch = 1, seq = 16, runs = 30, warmup = 50, cold = 10, threads = Environment.ProcessorCount;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--onnx": onnx = args[++i]; break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seq": seq = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--cold": cold = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--json": break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        OrtNativeLibrary.Install();
        var total = Stopwatch.StartNew();
        using var session = new InferenceSession(onnx, new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        });
        double load = total.Elapsed.TotalMilliseconds;
        var inputs = OrtInputs(batch, seq, Ids(batch, seq, 30522));
        var coldTimes = new double[cold];
        for (int i = 0; i < cold; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            using (session.Run(inputs)) { }
            coldTimes[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        for (int i = 0; i < warmup; i++)
        {
            using (session.Run(inputs)) { }
        }
        var warm = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            using (session.Run(inputs)) { }
            warm[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"load_ms\":{load:F3},\"cold_first_ms\":{coldTimes[0]:F3},\"cold_mean_ms\":{coldTimes.Average():F3},\"median_ms\":{Median(warm):F3},\"min_ms\":{warm.Min():F3}}}"));
        return 0;
    }

    /// <summary>The ids <c>albertgen bench</c> uses: <c>new Random(1234)</c>, each in [5, vocab).</summary>
    public static int[] Ids(int batch, int seq, int vocab)
    {
        var rng = new Random(1234);
        var ids = new int[batch * seq];
        for (int i = 0; i < ids.Length; i++) ids[i] = rng.Next(Math.Min(5, vocab - 1), vocab);
        return ids;
    }

    public static List<NamedOnnxValue> OrtInputs(int batch, int seq, int[] ids)
    {
        int[] dims = [batch, seq];
        return
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids.Select(i => (long)i).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, ids.Length).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Length], dims)),
        ];
    }

    internal static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
