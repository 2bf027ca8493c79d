using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Tasks.Distillation;
using AlbertGen.Tasks.Embeddings;
using AlbertGen.Tasks.Evaluation;
using AlbertGen.Tasks.FineTuning;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen embed-eval</c>: the sentence-embedding measures of the albertize trade-off table (docs/decisions.md D44)
/// for one model folder, on the CPU engine with the folder's own embedding settings (as <c>embed</c>): parameters and
/// file size; STS-B Spearman × 100 of pair cosines; SST-2 dev accuracy of a logistic probe on frozen embeddings of
/// SST-2 train sentences; mean cosine to a teacher's vectors on held-out sentences; tokens/s on a fixed batch. Each
/// measure runs when its inputs are given; <c>--json</c> ends with one JSON object.
/// </summary>
internal static class EmbedEvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model folder (any folder `embed` reads; its sentence-transformers pooling/normalize are used)", Required = true };
        var teacher = new Option<string?>("--teacher") { Description = "reference model folder for the held-out cosine (the student's teacher)" };
        var sts = new Option<string?>("--sts") { Description = "STS benchmark pairs (genre filename year index score sentence1 sentence2, e.g. ../shared/data/tasks/STS-B/test.tsv)" };
        var sst2Train = new Option<string?>("--sst2-train") { Description = "SST-2 train TSV (sentence, label): the probe's training sentences" };
        var sst2Dev = new Option<string?>("--sst2-dev") { Description = "SST-2 dev TSV: the probe's accuracy is measured here" };
        var sst2Limit = new Option<int>("--sst2-train-limit") { Description = "probe training sentences: a seeded sample of this many (0: all)", DefaultValueFactory = _ => 10_000 };
        var probeC = new Option<double>("--probe-c") { Description = "the probe's inverse L2 strength (scikit-learn's C)", DefaultValueFactory = _ => 1.0 };
        var probeIterations = new Option<int>("--probe-max-iterations") { Description = "the probe's L-BFGS iteration cap", DefaultValueFactory = _ => 1000 };
        var heldOut = new Option<string[]>("--held-out") { Description = "text files or folders split into sentences as albertize --corpus does; their first --held-out-count sentences are the held-out set (albertize never trains on them)", AllowMultipleArgumentsPerToken = true };
        var heldOutCount = new Option<int>("--held-out-count") { Description = "held-out sentences (albertize holds out its corpus's first --dev-sentences, 256 by default)", DefaultValueFactory = _ => 256 };
        var speedSentences = new Option<int>("--speed-sentences") { Description = "sentences in the fixed speed batch (the held-out set's first, else the STS pairs' first sentences; 0: no speed measurement)", DefaultValueFactory = _ => 64 };
        var speedRuns = new Option<int>("--speed-runs") { Description = "timed passes over the speed batch (after one untimed); tokens/s from the median", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "print one JSON object as the last line" };
        var cmd = new Command("embed-eval", "Sentence-embedding measures of a model folder: STS-B Spearman, SST-2 linear probe, cosine to a teacher, tokens/s, size")
        {
            model, teacher, sts, sst2Train, sst2Dev, sst2Limit, probeC, probeIterations, heldOut, heldOutCount, speedSentences, speedRuns, json,
        };
        cmd.SetAction(r => CliErrors.Guard(() => Run(new Options(r.GetValue(model)!, r.GetValue(teacher), r.GetValue(sts), r.GetValue(sst2Train), r.GetValue(sst2Dev),
            r.GetValue(sst2Limit), r.GetValue(probeC), r.GetValue(probeIterations), r.GetValue(heldOut) ?? [], r.GetValue(heldOutCount), r.GetValue(speedSentences), r.GetValue(speedRuns), r.GetValue(json)))));
        return cmd;
    }

    sealed record Options(string Model, string? Teacher, string? Sts, string? Sst2Train, string? Sst2Dev, int Sst2Limit, double ProbeC, int ProbeIterations,
        string[] HeldOut, int HeldOutCount, int SpeedSentences, int SpeedRuns, bool Json);

    /// <summary>The seed of the SST-2 train sample (a fixed subset for every model).</summary>
    const int SampleSeed = 1234;

    static int Run(Options o)
    {
        if ((o.Sst2Train is null) != (o.Sst2Dev is null)) throw new ArgumentException("--sst2-train and --sst2-dev go together");
        if (o.Teacher is not null && o.HeldOut.Length == 0) throw new ArgumentException("--teacher needs --held-out (the sentences the cosine is measured on)");
        if (o.Sst2Limit < 0) throw new ArgumentException($"--sst2-train-limit must be ≥ 0 (got {o.Sst2Limit})");
        if (!(o.ProbeC > 0)) throw new ArgumentException($"--probe-c must be > 0 (got {o.ProbeC})");
        if (o.ProbeIterations < 1) throw new ArgumentException($"--probe-max-iterations must be ≥ 1 (got {o.ProbeIterations})");
        if (o.HeldOutCount < 1) throw new ArgumentException($"--held-out-count must be ≥ 1 (got {o.HeldOutCount})");
        if (o.SpeedSentences < 0 || o.SpeedRuns < 1) throw new ArgumentException("--speed-sentences must be ≥ 0 and --speed-runs ≥ 1");
        var inv = CultureInfo.InvariantCulture;
        var result = new List<(string Key, object Value)>();

        var config = AlbertConfig.Load(o.Model);
        long parameters = AlbertParameterCount.For(config, AlbertHead.Base).Total;
        long fileBytes = new FileInfo(CheckpointFiles.Find(o.Model)).Length;
        result.Add(("model", o.Model));
        result.Add(("embedding_size", config.EmbeddingSize));
        result.Add(("num_hidden_groups", config.NumHiddenGroups));
        result.Add(("parameters", parameters));
        result.Add(("file_bytes", fileBytes));
        Console.WriteLine(string.Create(inv, $"{o.Model}: E {config.EmbeddingSize}, G {config.NumHiddenGroups}, {parameters:N0} parameters (pooler included), {Path.GetFileName(CheckpointFiles.Find(o.Model))} {fileBytes / 1048576.0:F1} MiB"));

        var settings = SentenceTransformersConfig.Load(o.Model) ?? new SentenceTransformersConfig();
        using var pipelines = TextPipelines.OpenForEmbeddings(o.Model);
        IReadOnlyList<string> held = [];
        if (o.HeldOut.Length > 0)
        {
            held = new SentenceBatchSource(pipelines.Tokenizer, o.HeldOut, batchSize: 1, maxSeqLength: 4, seed: 0, devCount: o.HeldOutCount).Dev;
            if (held.Count < o.HeldOutCount)
                throw new ArgumentException($"--held-out yields {held.Count} sentences, --held-out-count asks for {o.HeldOutCount}");
        }

        IReadOnlyList<SentencePair>? pairs = o.Sts is null ? null : StsPairReader.Read(o.Sts);
        if (pairs is not null)
        {
            var sw = Stopwatch.StartNew();
            var a = pipelines.Embed(pairs.Select(p => p.A).ToList(), settings);
            var b = pipelines.Embed(pairs.Select(p => p.B).ToList(), settings);
            double rho = EmbeddingMetrics.StsSpearman(a, b, pairs.Select(p => p.Score).ToList());
            result.Add(("sts_spearman", rho));
            result.Add(("sts_pairs", pairs.Count));
            Console.WriteLine(string.Create(inv, $"STS ({pairs.Count} pairs, {o.Sts}): Spearman × 100 of cosines {rho:F2}  [{sw.Elapsed.TotalSeconds:F0} s]"));
        }

        if (o.Sst2Train is not null)
        {
            var sw = Stopwatch.StartNew();
            var train = SequenceClassificationData.Read(o.Sst2Train, ["0", "1"], SequenceClassificationData.SingleLabel);
            var dev = SequenceClassificationData.Read(o.Sst2Dev!, ["0", "1"], SequenceClassificationData.SingleLabel);
            if (o.Sst2Limit > 0 && train.Count > o.Sst2Limit)
            {
                var order = Enumerable.Range(0, train.Count).ToArray();
                new Random(SampleSeed).Shuffle(order);
                train = order.Take(o.Sst2Limit).Order().Select(i => train[i]).ToList();
            }
            var xTrain = pipelines.Embed(train.Select(e => e.Text).ToList(), settings);
            var xDev = pipelines.Embed(dev.Select(e => e.Text).ToList(), settings);
            var probe = LogisticProbe.Fit(xTrain, train.Select(e => e.Label).ToList(), o.ProbeC, o.ProbeIterations);
            double accTrain = probe.Accuracy(xTrain, train.Select(e => e.Label).ToList());
            double acc = probe.Accuracy(xDev, dev.Select(e => e.Label).ToList());
            result.Add(("sst2_dev_accuracy", acc));
            result.Add(("sst2_train_accuracy", accTrain));
            result.Add(("sst2_train", train.Count));
            result.Add(("sst2_dev", dev.Count));
            result.Add(("probe_c", o.ProbeC));
            result.Add(("probe_iterations", probe.Iterations));
            Console.WriteLine(string.Create(inv, $"SST-2 probe ({train.Count} train, {dev.Count} dev, C {o.ProbeC}, {probe.Iterations} L-BFGS iterations): dev accuracy {100 * acc:F2} % (train {100 * accTrain:F2} %)  [{sw.Elapsed.TotalSeconds:F0} s]"));
        }

        if (o.Teacher is not null)
        {
            var teacherSettings = SentenceTransformersConfig.Load(o.Teacher) ?? new SentenceTransformersConfig();
            float[][] reference;
            using (var t = TextPipelines.OpenForEmbeddings(o.Teacher))
                reference = t.Embed(held, teacherSettings);
            double cos = EmbeddingMetrics.MeanCosine(pipelines.Embed(held, settings), reference);
            result.Add(("teacher_cosine", cos));
            result.Add(("held_out_sentences", held.Count));
            Console.WriteLine(string.Create(inv, $"held-out ({held.Count} sentences): mean cosine to {o.Teacher} {cos:F4}"));
        }

        var speedBatch = (held.Count > 0 ? held : pairs?.Select(p => p.A).ToList() ?? []).Take(o.SpeedSentences).ToList();
        if (speedBatch.Count > 0)
        {
            int maxLength = Math.Min(settings.MaxSeqLength ?? config.MaxPositionEmbeddings, config.MaxPositionEmbeddings);
            var inputs = speedBatch.Select(t => settings.DefaultPrompt + t).Select(t => settings.DoLowerCase ? t.ToLowerInvariant() : t).ToList();
            long tokens = pipelines.Tokenizer.EncodeBatch(inputs, maxLength: maxLength, padding: AlbertGen.Tokenization.PaddingStrategy.DoNotPad).Sum(e => (long)e.Length);
            pipelines.Embed(speedBatch, settings); // untimed: first-call JIT and packing
            var times = new double[o.SpeedRuns];
            for (int i = 0; i < times.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                pipelines.Embed(speedBatch, settings);
                times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            }
            Array.Sort(times);
            double median = times[times.Length / 2];
            result.Add(("tokens_per_second", tokens / median));
            result.Add(("speed_sentences", speedBatch.Count));
            result.Add(("speed_tokens", tokens));
            result.Add(("speed_median_ms", median * 1000));
            result.Add(("speed_min_ms", times[0] * 1000));
            result.Add(("threads", Environment.ProcessorCount));
            Console.WriteLine(string.Create(inv, $"speed ({speedBatch.Count} sentences, {tokens} tokens, {Environment.ProcessorCount} threads): median {median * 1000:F0} ms of {o.SpeedRuns} (min {times[0] * 1000:F0}), {tokens / median:F0} tokens/s"));
        }

        if (o.Json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                foreach (var (key, value) in result)
                {
                    switch (value)
                    {
                        case string s: w.WriteString(key, s); break;
                        case int i: w.WriteNumber(key, i); break;
                        case long l: w.WriteNumber(key, l); break;
                        case double d: w.WriteNumber(key, Math.Round(d, 6)); break;
                        default: throw new InvalidOperationException($"{key}: {value.GetType()}");
                    }
                }
                w.WriteEndObject();
            }
            stdout.Write("\n"u8);
        }
        return 0;
    }
}
