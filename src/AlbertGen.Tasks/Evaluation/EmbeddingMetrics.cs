using AlbertGen.Tasks.FineTuning;

namespace AlbertGen.Tasks.Evaluation;

/// <summary>Sentence-embedding measures: cosine, the STS benchmark score (Spearman × 100 of pair cosines) and the mean cosine between two models' vectors of the same sentences.</summary>
public static class EmbeddingMetrics
{
    /// <summary>cos(a, b) = a·b / (‖a‖·‖b‖), in double; 0 when either vector is zero.</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"vectors of {a.Length} and {b.Length} dimensions");
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.Sqrt(aa * bb);
    }

    /// <summary>
    /// Spearman's ρ × 100 between the cosines of the pairs' vectors and the gold scores — the STS benchmark figure
    /// sentence-transformers reports (<c>EmbeddingSimilarityEvaluator</c>, cosine Spearman), ties ranked by their mean.
    /// </summary>
    public static double StsSpearman(IReadOnlyList<float[]> first, IReadOnlyList<float[]> second, IReadOnlyList<double> gold)
    {
        if (first.Count != second.Count || first.Count != gold.Count)
            throw new ArgumentException($"{first.Count} and {second.Count} vectors for {gold.Count} gold scores");
        var cosines = new double[gold.Count];
        for (int i = 0; i < cosines.Length; i++) cosines[i] = Cosine(first[i], second[i]);
        return 100 * RegressionMetrics.Spearman(cosines, gold);
    }

    /// <summary>The mean over sentences of cos(model's vector, reference's vector): how close a student's embedding is to its teacher's.</summary>
    public static double MeanCosine(IReadOnlyList<float[]> model, IReadOnlyList<float[]> reference)
    {
        if (model.Count != reference.Count) throw new ArgumentException($"{model.Count} vectors against {reference.Count}");
        if (model.Count == 0) return 0;
        double sum = 0;
        for (int i = 0; i < model.Count; i++) sum += Cosine(model[i], reference[i]);
        return sum / model.Count;
    }
}
