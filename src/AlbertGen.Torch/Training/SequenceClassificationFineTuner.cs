using System.Globalization;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Tokenization;
using AlbertGen.Torch.Training.FineTuning;

namespace AlbertGen.Torch.Training;

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
    public static AlbertConfig ClassifierConfig(AlbertConfig pretrained, IReadOnlyList<string> labels) =>
        FineTuner.TaskConfig(pretrained, AlbertHead.SequenceClassification, labels);

    /// <summary>A classifier model: weights of <paramref name="pretrainedDir"/> where names match, the rest HF-initialised.</summary>
    public static TorchAlbertBackend FromPretrained(string pretrainedDir, AlbertConfig config, long seed, string device, TextWriter? log) =>
        FineTuner.FromPretrained(pretrainedDir, config, AlbertHead.SequenceClassification, seed, device, log);

    /// <summary>Single-label training through <see cref="FineTuner"/>; the dev metrics after each epoch.</summary>
    public static List<Metrics> Train(TorchAlbertBackend backend, AlbertTokenizer tokenizer, List<(string Text, int Label)> train,
        List<(string Text, int Label)>? dev, FineTuneOptions o)
    {
        var task = Task(backend, tokenizer, o.MaxSeqLength);
        return FineTuner.Train(backend, task, Examples(train), dev is null ? null : Examples(dev), o).Select(ToMetrics).ToList();
    }

    public static Metrics Evaluate(IAlbertBackend backend, AlbertTokenizer tokenizer, List<(string Text, int Label)> data, int maxSeqLength, int batchSize = 32) =>
        ToMetrics(Task(backend, tokenizer, maxSeqLength).Evaluate(backend, Examples(data), batchSize));

    static SequenceClassificationTask Task(IAlbertBackend backend, AlbertTokenizer tokenizer, int maxSeqLength) =>
        new(tokenizer, backend.Config.Id2Label, SequenceClassificationData.SingleLabel, maxSeqLength);

    static List<SequenceExample> Examples(List<(string Text, int Label)> data) => data.Select(x => new SequenceExample(x.Text, null, x.Label)).ToList();

    static Metrics ToMetrics(EvalResult r) => new(r.Examples, r["accuracy"], r["macro_f1"], r["matthews_correlation"]);

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
