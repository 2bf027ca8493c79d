namespace AlbertGen.Tasks.FineTuning;

/// <summary>Multi-label metrics over 0/1 label sets (sklearn's <c>f1_score(average="micro")</c> and <c>accuracy_score</c>).</summary>
public static class MultiLabelMetrics
{
    /// <summary>F1 of the true-positive / predicted / true counts summed over all examples and labels.</summary>
    public static double MicroF1(IReadOnlyList<bool[]> predicted, IReadOnlyList<bool[]> truth)
    {
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < predicted.Count; i++)
        {
            for (int k = 0; k < predicted[i].Length; k++)
            {
                if (predicted[i][k] && truth[i][k]) tp++;
                else if (predicted[i][k]) fp++;
                else if (truth[i][k]) fn++;
            }
        }
        return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /// <summary>Fraction of examples whose predicted label set equals the true set exactly.</summary>
    public static double SubsetAccuracy(IReadOnlyList<bool[]> predicted, IReadOnlyList<bool[]> truth) =>
        predicted.Count == 0 ? 0 : predicted.Zip(truth, (p, t) => p.AsSpan().SequenceEqual(t) ? 1.0 : 0.0).Average();
}
