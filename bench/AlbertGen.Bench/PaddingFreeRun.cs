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
/// The cases alternate round by round (A B C …, then again), so a noisy machine's slow phases fall on all of them;
/// the figure is real tokens per second, median over rounds.
/// <para>usage: <c>DOTNET_TieredCompilation=0 dotnet run -c Release --project bench/AlbertGen.Bench -- padding-free [--rounds N] [--model DIR] [--sst2 FILE] [--no-ort]</c></para>
/// </summary>
static class PaddingFreeRun
{
    sealed record Case(string Name, Func<long> Run);

    public static int Run(string[] args)
    {
        int rounds = 3;
        string model = Path.Combine(RepositoryRoot.Find(), "bench", "models", "base8k");
        string sst2 = Path.Combine(RepositoryRoot.Find(), "..", "shared", "data", "tasks", "SST-2", "dev.tsv");
        bool ort = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--model": model = args[++i]; break;
                case "--sst2": sst2 = args[++i]; break;
                case "--no-ort": ort = false; break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (!File.Exists(Path.Combine(model, "model.safetensors")))
            throw new InvalidOperationException($"{model} not found: /usr/bin/python3 scripts/make_bench_model.py --out bench/models/base8k --vocab-size 8000 --tokenizer src/AlbertGen.Cli/models/albert-default");
        var sentences = File.ReadLines(sst2).Skip(1).Select(l => l.Split('\t')[0]).Where(s => s.Length > 0).ToList();
        var tokenizer = AlbertTokenizer.FromModelDirectory(model);
        var encodings = tokenizer.EncodeBatch(sentences, maxLength: 512, padding: PaddingStrategy.DoNotPad);
        long real = encodings.Sum(e => (long)e.Length);

        var sorted = Cut(encodings, sort: true);
        var fixed32 = Cut(encodings, sort: false);
        Console.WriteLine($"// {sentences.Count} sentences, {real} tokens (mean {real / (double)sentences.Count:F1}, max {encodings.Max(e => e.Length)})");
        foreach (var (name, batches) in new[] { ("sorted, rows × longest ≤ 2048", sorted), ("input order, 32 per batch", fixed32) })
            Console.WriteLine($"// {name}: {batches.Count} batches, {batches.Sum(b => (long)b.Count * b.Max(e => e.Length))} padded tokens ({batches.Sum(b => (long)b.Count * b.Max(e => e.Length)) / (double)real:F2}× real)");

        using var cpu = CpuAlbertModel.Load(model, AlbertHead.Base);
        Console.WriteLine($"// CPU engine: {cpu.Threads} threads; machine: {Environment.ProcessorCount} processors");
        var cases = new List<Case>();
        foreach (var (tag, batches) in new[] { ("sorted", sorted), ("input-32", fixed32) })
        {
            var padded = batches.Select(b => EncodedBatch.From(b, tokenizer.PadTokenId)).ToList();
            var packed = batches.Select(b => EncodedBatch.Packed(b)).ToList();
            // the two layouts must agree before they are timed: [CLS] vectors of the first batch
            var a = cpu.Forward(padded[0]).PoolerOutput!.Data;
            var b = cpu.ForwardPacked(packed[0]).PoolerOutput!.Data;
            double rel = TensorCompare.RelativeError(b, a);
            Console.WriteLine($"// {tag}: padded vs padding-free pooler_output relative error {rel:E2}");
            if (rel > 1e-5) throw new InvalidOperationException("padded and padding-free forwards disagree");
            cases.Add(new Case($"AlbertGen padded, {tag}", () => { foreach (var x in padded) cpu.Forward(x); return real; }));
            cases.Add(new Case($"AlbertGen padding-free, {tag}", () => { foreach (var x in packed) cpu.ForwardPacked(x); return real; }));
        }
        InferenceSession? session = null;
        if (ort && File.Exists(Path.Combine(model, "model.onnx")))
        {
            OrtNativeLibrary.Install();
            session = new InferenceSession(Path.Combine(model, "model.onnx"),
                new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = Environment.ProcessorCount });
            foreach (var (tag, batches) in new[] { ("sorted", sorted), ("input-32", fixed32) })
            {
                var inputs = batches.Select(b => OrtInputs(EncodedBatch.From(b, tokenizer.PadTokenId))).ToList();
                using (var results = session.Run(inputs[0]))
                {
                    var theirs = results.First(r => r.Name == "pooler_output").AsTensor<float>().ToArray();
                    double rel = TensorCompare.RelativeError(cpu.Forward(EncodedBatch.From(batches[0], tokenizer.PadTokenId)).PoolerOutput!.Data, theirs);
                    Console.WriteLine($"// {tag}: CPU engine vs ONNX Runtime pooler_output relative error {rel:E2}");
                }
                var s = session;
                cases.Add(new Case($"ONNX Runtime padded, {tag}", () => { foreach (var x in inputs) { using var r = s.Run(x); } return real; }));
            }
        }

        // one untimed pass each (JIT, workspace growth), then the timed rounds
        foreach (var c in cases) c.Run();
        var rates = cases.ToDictionary(c => c.Name, _ => new List<double>());
        for (int round = 0; round < rounds; round++)
        {
            foreach (var c in cases)
            {
                long t0 = Stopwatch.GetTimestamp();
                long tokens = c.Run();
                double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                rates[c.Name].Add(tokens / s);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// round {round + 1}: {c.Name}: {s:F2} s, {tokens / s:F0} tokens/s"));
            }
        }
        Console.WriteLine();
        Console.WriteLine("| case | tokens/s (median) | min | max |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var c in cases)
        {
            var r = rates[c.Name].Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {c.Name} | {r[r.Count / 2]:F0} | {r[0]:F0} | {r[^1]:F0} |"));
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
