using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Tokenization;
using AlbertGen.Tokenization.Pipelines;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Training;

/// <summary>Fine-tuning hyper-parameters (HF Trainer defaults where it has them: AdamW, linear schedule).</summary>
public sealed record FineTuneOptions
{
    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 32;
    public int MaxSeqLength { get; init; } = 64;
    public double LearningRate { get; init; } = 5e-5;
    public double WarmupFraction { get; init; } = 0.1;
    public double MaxGradNorm { get; init; } = 1.0;
    public int MaxExamples { get; init; }
    public long Seed { get; init; } = 42;
    public TextWriter? Log { get; init; }
}

/// <summary>
/// <c>AlbertForSequenceClassification</c> fine-tuning from a pretrained folder, as HF's <c>from_pretrained</c> +
/// Trainer do: encoder (and pooler) weights copied from the checkpoint, the classifier freshly initialised
/// (normal(0, initializer_range), bias 0), AdamW with LayerNorm/bias excluded from decay, linear warmup/decay, global-norm
/// clipping, dropout active while training; evaluation in eval mode. Accuracy, macro-F1 and Matthews correlation.
/// </summary>
public static class SequenceClassificationFineTuner
{
    public sealed record Metrics(int Examples, double Accuracy, double MacroF1, double Matthews);

    /// <summary>The pretrained config with a classification head over <paramref name="labels"/>.</summary>
    public static AlbertConfig ClassifierConfig(AlbertConfig pretrained, IReadOnlyList<string> labels)
    {
        var json = JsonNode.Parse(pretrained.ToJson())!.AsObject();
        var id2label = new JsonObject();
        var label2id = new JsonObject();
        for (int i = 0; i < labels.Count; i++)
        {
            id2label[i.ToString(CultureInfo.InvariantCulture)] = labels[i];
            label2id[labels[i]] = i;
        }
        json["id2label"] = id2label;
        json["label2id"] = label2id;
        json["architectures"] = new JsonArray("AlbertForSequenceClassification");
        json.Remove("num_labels");
        return AlbertConfig.Parse(json.ToJsonString(), pretrained.SourceName);
    }

    /// <summary>A classifier model: weights of <paramref name="pretrainedDir"/> where names match, the rest HF-initialised.</summary>
    public static TorchAlbertBackend FromPretrained(string pretrainedDir, AlbertConfig config, long seed, string device, TextWriter? log)
    {
        var backend = TorchAlbertBackend.Create(config, AlbertHead.SequenceClassification, seed, device);
        using var file = SafeTensorsFile.Open(Path.Combine(pretrainedDir, "model.safetensors"));
        int copied = 0;
        var fresh = new List<string>();
        using (no_grad())
        {
            foreach (var (name, p) in backend.Model.named_parameters())
            {
                string? found = file.Contains(name) ? name
                    : name.StartsWith(AlbertWeightNames.BasePrefix, StringComparison.Ordinal) && file.Contains(name[AlbertWeightNames.BasePrefix.Length..]) ? name[AlbertWeightNames.BasePrefix.Length..]
                    : null;
                if (found is null || !file.GetEntry(found).Shape.Select(x => (long)x).SequenceEqual(p.shape))
                {
                    fresh.Add(name);
                    continue;
                }
                using var src = tensor(file.ReadFloat32Array(found), p.shape).to(p.device);
                p.copy_(src);
                copied++;
            }
        }
        log?.WriteLine($"from {pretrainedDir}: {copied} tensors loaded, newly initialised: {string.Join(", ", fresh)}");
        return backend;
    }

    public static List<Metrics> Train(TorchAlbertBackend backend, AlbertTokenizer tokenizer, List<(string Text, int Label)> train,
        List<(string Text, int Label)>? dev, FineTuneOptions o)
    {
        if (o.MaxExamples > 0 && train.Count > o.MaxExamples)
            train = train.Take(o.MaxExamples).ToList();
        var model = backend.Model;
        var parameters = TorchWeights.UniqueParameters(model);
        using var optimizer = AlbertOptimizer.Create(OptimizerKind.AdamW, parameters);
        long stepsPerEpoch = (train.Count + o.BatchSize - 1) / o.BatchSize, total = stepsPerEpoch * o.Epochs;
        var schedule = new LinearSchedule(o.LearningRate, (int)(total * o.WarmupFraction), (int)total);
        var rng = new Random((int)o.Seed);
        var results = new List<Metrics>();
        long step = 0;
        var sw = Stopwatch.StartNew();
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            var order = Enumerable.Range(0, train.Count).ToArray();
            rng.Shuffle(order);
            model.train();
            double running = 0;
            for (int b = 0; b < order.Length; b += o.BatchSize, step++)
            {
                var idx = order.Skip(b).Take(o.BatchSize).ToArray();
                var enc = tokenizer.EncodeBatch(idx.Select(i => train[i].Text).ToList(), maxLength: o.MaxSeqLength);
                var batch = EncodedBatch.From(enc);
                batch = new AlbertBatch(batch.Rows, batch.SequenceLength, batch.InputIds, batch.AttentionMask, batch.TokenTypeIds)
                {
                    Labels = idx.Select(i => train[i].Label).ToArray(),
                    LabelsShape = [idx.Length],
                };
                using (NewDisposeScope())
                {
                    optimizer.ZeroGrad();
                    using var tb = TorchBatch.From(batch, backend.Device);
                    var output = backend.ForwardTensors(tb);
                    output.Loss!.backward();
                    GradientClipping.ClipByGlobalNorm(parameters.Select(p => p.Parameter), o.MaxGradNorm);
                    optimizer.Step(schedule.At(step));
                    running = 0.98 * running + 0.02 * output.Loss.item<float>();
                }
                if (o.Log is not null && (step + 1) % 50 == 0)
                    o.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1} step {step + 1}/{total}  loss~{running / (1 - Math.Pow(0.98, step + 1)):F4}  {sw.Elapsed.TotalSeconds:F0} s"));
            }
            model.eval();
            if (dev is not null)
            {
                var m = Evaluate(backend, tokenizer, dev, o.MaxSeqLength, o.BatchSize);
                results.Add(m);
                o.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}: dev accuracy {m.Accuracy:F4}, macro-F1 {m.MacroF1:F4}, MCC {m.Matthews:F4} ({m.Examples} examples)"));
            }
        }
        return results;
    }

    public static Metrics Evaluate(IAlbertBackend backend, AlbertTokenizer tokenizer, List<(string Text, int Label)> data, int maxSeqLength, int batchSize = 32)
    {
        int classes = backend.Config.NumLabels;
        var confusion = new long[classes, classes];
        for (int b = 0; b < data.Count; b += batchSize)
        {
            var chunk = data.Skip(b).Take(batchSize).ToList();
            var enc = tokenizer.EncodeBatch(chunk.Select(x => x.Text).ToList(), maxLength: maxSeqLength);
            var logits = backend.Forward(EncodedBatch.From(enc)).Logits!.Data;
            for (int i = 0; i < chunk.Count; i++)
            {
                int best = 0;
                for (int c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
                confusion[chunk[i].Label, best]++;
            }
        }
        return Score(confusion, data.Count);
    }

    /// <summary>Accuracy, macro-F1 and (multi-class) Matthews correlation from a confusion matrix [truth, predicted].</summary>
    public static Metrics Score(long[,] confusion, int n)
    {
        int k = confusion.GetLength(0);
        double correct = 0, f1 = 0;
        var truth = new double[k];
        var pred = new double[k];
        for (int i = 0; i < k; i++)
        {
            correct += confusion[i, i];
            for (int j = 0; j < k; j++) { truth[i] += confusion[i, j]; pred[j] += confusion[i, j]; }
        }
        for (int i = 0; i < k; i++)
        {
            double p = pred[i] == 0 ? 0 : confusion[i, i] / pred[i], r = truth[i] == 0 ? 0 : confusion[i, i] / truth[i];
            f1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
        }
        double s = n, cov = correct * s - truth.Zip(pred, (t, p) => t * p).Sum();
        double den = Math.Sqrt((s * s - pred.Sum(p => p * p)) * (s * s - truth.Sum(t => t * t)));
        return new Metrics(n, correct / n, f1 / k, den == 0 ? 0 : cov / den);
    }
}
