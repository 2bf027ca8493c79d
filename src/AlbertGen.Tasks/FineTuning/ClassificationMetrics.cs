namespace AlbertGen.Tasks.FineTuning;

/// <summary>Single-label classification metrics from a confusion matrix: accuracy, macro-F1 and (multi-class) Matthews correlation.</summary>
public static class ClassificationMetrics
{
    public sealed record Scores(int Examples, double Accuracy, double MacroF1, double Matthews);

    /// <summary>Scores of a confusion matrix [truth, predicted] over <paramref name="n"/> examples.</summary>
    public static Scores Score(long[,] confusion, int n)
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
        return new Scores(n, correct / n, f1 / k, den == 0 ? 0 : cov / den);
    }
}
