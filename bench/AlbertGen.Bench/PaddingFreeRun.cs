using System.Diagnostics;
using System.Globalization;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.Tasks;
using AlbertGen.Tokenization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AlbertGen.Bench;

/// <summary>
/// Padding-free against padded forwards on real text (D33): the 872 SST-2 dev sentences through the encoder of a
/// base-shaped model (<c>bench/models/base8k</c>: albert-base-v2's shape, vocab 8000, the default model's tokenizer),
/// cut into batches two ways — as the pipelines do (sorted by length, rows × longest ≤ 2048) and as a plain ONNX
/// Runtime user would (input order, 32 per batch) — and run padded (<see cref="CpuAlbertModel.Forward"/>),
/// padding-free (<see cref="CpuAlbertModel.ForwardPacked"/>) and through ONNX Runtime with padded batches.
/// The cases alternate batch by batch (batch i padded, padding-free, ONNX Runtime, then batch i + 1), so a noisy
/// machine's slow phases fall on all of them; the figure is real tokens per second over the whole set, median over rounds.
/// <para>usage: <c>DOTNET_TieredCompilation=0 dotnet run -c Release --project bench/AlbertGen.Bench -- padding-free [--rounds N] [--every N] [--model DIR] [--sst2 FILE] [--no-ort]</c></para>
/// </summary>
static class PaddingFreeRun
{
    /// <summary>One way to run a batch list: name, and a runner of batch i.</summary>
    sealed record Case(string Name, string Batching, Action<int> RunBatch);

    public static int Run(string[] args)
    {
        int rounds = 1, every = 1;
        string model = Path.Combine(RepositoryRoot.Find(), "bench", "models", "base8k");
        string sst2 = Path.Combine(RepositoryRoot.Find(), "..", "shared", "data", "tasks", "SST-2", "dev.tsv");
        bool ort = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--every": every = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--model": model = args[++i]; break;
                case "--sst2": sst2 = args[++i]; break;
                case "--no-ort": ort = false; break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (!File.Exists(Path.Combine(model, "model.safetensors")))
            throw new InvalidOperationException($"{model} not found: /usr/bin/python3 scripts/make_bench_model.py --out bench/models/base8k --vocab-size 8000 --tokenizer src/AlbertGen.Cli/models/albert-default");
        // --every N: every Nth sentence (same length distribution, 1/N of the work) for a loaded machine
        var sentences = File.ReadLines(sst2).Skip(1).Select(l => l.Split('\t')[0]).Where(s => s.Length > 0).Where((_, i) => i % every == 0).ToList();
        var tokenizer = AlbertTokenizer.FromModelDirectory(model);
        var encodings = tokenizer.EncodeBatch(sentences, maxLength: 512, padding: PaddingStrategy.DoNotPad);
        long real = encodings.Sum(e => (long)e.Length);

        var batchings = new Dictionary<string, List<List<AlbertEncoding>>>
        {
            ["sorted"] = Cut(encodings, sort: true),
            ["input-32"] = Cut(encodings, sort: false),
        };
        Console.WriteLine($"// {sentences.Count} sentences (every {every}), {real} tokens (mean {real / (double)sentences.Count:F1}, max {encodings.Max(e => e.Length)})");
        foreach (var (name, batches) in batchings)
            Console.WriteLine($"// {name}: {batches.Count} batches, {batches.Sum(b => (long)b.Count * b.Max(e => e.Length))} padded tokens ({batches.Sum(b => (long)b.Count * b.Max(e => e.Length)) / (double)real:F2}× real)");

        using var cpu = CpuAlbertModel.Load(model, AlbertHead.Base);
        Console.WriteLine($"// CPU engine: {cpu.Threads} threads; machine: {Environment.ProcessorCount} processors");
        InferenceSession? session = null;
        if (ort && File.Exists(Path.Combine(model, "model.onnx")))
        {
            OrtNativeLibrary.Install();
            session = new InferenceSession(Path.Combine(model, "model.onnx"),
                new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = Environment.ProcessorCount });
        }
        var cases = new List<Case>();
        foreach (var (tag, batches) in batchings)
        {
            var padded = batches.Select(b => EncodedBatch.From(b, tokenizer.PadTokenId)).ToList();
            var packed = batches.Select(b => EncodedBatch.Packed(b)).ToList();
            // the layouts and engines must agree before they are timed: pooler_output of the first batch
            var a = cpu.Forward(padded[0]).PoolerOutput!.Data;
            double rel = TensorCompare.RelativeError(cpu.ForwardPacked(packed[0]).PoolerOutput!.Data, a);
            Console.WriteLine($"// {tag}: padded vs padding-free pooler_output relative error {rel:E2}");
            if (rel > 1e-5) throw new InvalidOperationException("padded and padding-free forwards disagree");
            cases.Add(new Case($"AlbertGen padded, {tag}", tag, i => cpu.Forward(padded[i])));
            cases.Add(new Case($"AlbertGen padding-free, {tag}", tag, i => cpu.ForwardPacked(packed[i])));
            if (session is not null)
            {
                var inputs = padded.Select(OrtInputs).ToList();
                using (var results = session.Run(inputs[0]))
                {
                    var theirs = results.First(r => r.Name == "pooler_output").AsTensor<float>().ToArray();
                    Console.WriteLine($"// {tag}: CPU engine vs ONNX Runtime pooler_output relative error {TensorCompare.RelativeError(a, theirs):E2}");
                }
                var s = session;
                cases.Add(new Case($"ONNX Runtime padded, {tag}", tag, i => { using var r = s.Run(inputs[i]); }));
            }
        }

        // batch by batch, every case in turn (so a slow phase of a shared machine falls on all of them alike); the
        // first batch of each batching was run once above (JIT, workspace growth)
        var seconds = cases.ToDictionary(c => c.Name, _ => new double[rounds]);
        for (int round = 0; round < rounds; round++)
        {
            foreach (var (tag, batches) in batchings)
            {
                for (int i = 0; i < batches.Count; i++)
                {
                    foreach (var c in cases.Where(c => c.Batching == tag))
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        c.RunBatch(i);
                        seconds[c.Name][round] += Stopwatch.GetElapsedTime(t0).TotalSeconds;
                    }
                }
            }
            foreach (var c in cases)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// round {round + 1}: {c.Name}: {seconds[c.Name][round]:F2} s, {real / seconds[c.Name][round]:F0} tokens/s"));
        }
        Console.WriteLine();
        Console.WriteLine("| case | seconds (median) | real tokens/s (median) |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var c in cases)
        {
            var r = seconds[c.Name].Order().ToList();
            double median = r[r.Count / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {c.Name} | {median:F2} | {real / median:F0} |"));
        }
        session?.Dispose();
        return 0;
    }

    /// <summary>Batches as the pipelines cut them (sorted by length, rows × longest ≤ 2048), or 32 at a time in input order.</summary>
    static List<List<AlbertEncoding>> Cut(IReadOnlyList<AlbertEncoding> encodings, bool sort)
    {
        var order = Enumerable.Range(0, encodings.Count).ToList();
        var batches = new List<List<AlbertEncoding>>();
        if (!sort)
        {
            for (int i = 0; i < order.Count; i += 32)
                batches.Add(order.Skip(i).Take(32).Select(k => encodings[k]).ToList());
            return batches;
        }
        order = [.. order.OrderBy(i => encodings[i].Length)];
        for (int start = 0; start < order.Count;)
        {
            int end = start + 1;
            while (end < order.Count && (long)(end - start + 1) * encodings[order[end]].Length <= 2048) end++;
            batches.Add(order.Skip(start).Take(end - start).Select(k => encodings[k]).ToList());
            start = end;
        }
        return batches;
    }

    static List<NamedOnnxValue> OrtInputs(AlbertBatch b)
    {
        int[] dims = [b.Rows, b.SequenceLength];
        return
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(b.InputIds.Select(i => (long)i).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(b.AttentionMask!.Select(i => (long)i).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(b.TokenTypeIds!.Select(i => (long)i).ToArray(), dims)),
        ];
    }
}
