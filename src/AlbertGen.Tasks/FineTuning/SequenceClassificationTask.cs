using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Tasks;
using AlbertGen.Tokenization;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Tasks.FineTuning;

/// <summary>
/// <c>AlbertForSequenceClassification</c> for each problem type HF knows: single-label (cross-entropy; accuracy, macro-F1,
/// Matthews correlation), regression (one output, MSE; Pearson, Spearman, MSE) and multi-label (BCE with logits, a label
/// predicted when its logit is above 0, i.e. sigmoid above 0.5; micro-F1, subset accuracy). Texts are truncated to
/// <paramref name="maxSeqLength"/> (longest first for pairs).
/// </summary>
public sealed class SequenceClassificationTask(AlbertTokenizer tokenizer, IReadOnlyList<string> labels, string problemType, int maxSeqLength)
    : IFineTuningTask<SequenceExample>
{
    public AlbertHead Head => AlbertHead.SequenceClassification;
    public IReadOnlyList<string> Labels { get; } = problemType == SequenceClassificationData.Regression && labels.Count != 1
        ? throw new ArgumentException($"regression has one output, {labels.Count} labels given") : labels;
    public string ProblemType { get; } = problemType;

    public AlbertConfig ModelConfig(AlbertConfig pretrained) => HeadSelection.TaskConfig(pretrained, Head, Labels, ProblemType);

    public ITrainingFeatures Prepare(IReadOnlyList<SequenceExample> examples) => new TrainingFeatures<SequenceExample>(examples, Collate);

    AlbertBatch Inputs(IReadOnlyList<SequenceExample> chunk)
    {
        var pairs = chunk.Any(e => e.Pair is not null) ? chunk.Select(e => e.Pair).ToList() : null;
        return EncodedBatch.From(tokenizer.EncodeBatch(chunk.Select(e => e.Text).ToList(), pairs, maxLength: maxSeqLength), tokenizer.PadTokenId);
    }

    AlbertBatch Collate(IReadOnlyList<SequenceExample> chunk)
    {
        var b = Inputs(chunk);
        bool single = ProblemType == SequenceClassificationData.SingleLabel;
        return new AlbertBatch(b.Rows, b.SequenceLength, b.InputIds, b.AttentionMask, b.TokenTypeIds)
        {
            Labels = single ? chunk.Select(e => e.Label).ToArray() : null,
            FloatLabels = single ? null : chunk.SelectMany(e => e.Targets!).ToArray(),
            LabelsShape = single || Labels.Count == 1 ? [chunk.Count] : [chunk.Count, Labels.Count],
        };
    }

    public EvalResult Evaluate(IAlbertBackend backend, IReadOnlyList<SequenceExample> examples, int batchSize)
    {
        int k = backend.Config.NumLabels;
        var logits = new float[examples.Count * k];
        for (int b = 0; b < examples.Count; b += batchSize)
        {
            var chunk = examples.Skip(b).Take(batchSize).ToList();
            backend.Forward(Inputs(chunk)).Logits!.Data.CopyTo(logits, b * k);
        }
        int n = examples.Count;
        switch (ProblemType)
        {
            case SequenceClassificationData.Regression:
            {
                var predicted = logits.Select(x => (double)x).ToArray();
                var truth = examples.Select(e => (double)e.Targets![0]).ToArray();
                return new EvalResult(n, [
                    new("pearson", RegressionMetrics.Pearson(predicted, truth)),
                    new("spearmanr", RegressionMetrics.Spearman(predicted, truth)),
                    new("mse", RegressionMetrics.MeanSquaredError(predicted, truth))]);
            }
            case SequenceClassificationData.MultiLabel:
            {
                var predicted = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, k).Select(c => logits[i * k + c] > 0).ToArray()).ToList();
                var truth = examples.Select(e => e.Targets!.Select(v => v > 0.5f).ToArray()).ToList();
                return new EvalResult(n, [
                    new("micro_f1", MultiLabelMetrics.MicroF1(predicted, truth)),
                    new("subset_accuracy", MultiLabelMetrics.SubsetAccuracy(predicted, truth))]);
            }
            default:
            {
                var confusion = new long[k, k];
                for (int i = 0; i < n; i++)
                    confusion[examples[i].Label, TaskMath.ArgMax(logits.AsSpan(i * k, k))]++;
                var m = ClassificationMetrics.Score(confusion, n);
                return new EvalResult(n, [new("accuracy", m.Accuracy), new("macro_f1", m.MacroF1), new("matthews_correlation", m.Matthews)]);
            }
        }
    }
}
