namespace AlbertGen.Tasks.FineTuning;

/// <summary>GLUE STS-B metrics: Pearson and Spearman correlation (scipy's <c>pearsonr</c>, <c>spearmanr</c>) and mean squared error.</summary>
public static class RegressionMetrics
{
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} predictions for {y.Count} targets");
        int n = x.Count;
        if (n == 0) return 0;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy); // scipy: nan for a constant input; 0 keeps JSON numeric
    }

    /// <summary>Pearson correlation of the ranks, ties given the average of the ranks they span (scipy's <c>rankdata</c> "average").</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y) => Pearson(Ranks(x), Ranks(y));

    /// <summary>1-based ranks; tied values share the mean of their ranks.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]]) j++;
            double mean = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = mean;
            i = j + 1;
        }
        return ranks;
    }

    public static double MeanSquaredError(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} predictions for {y.Count} targets");
        return x.Count == 0 ? 0 : x.Zip(y, (a, b) => (a - b) * (a - b)).Average();
    }
}
