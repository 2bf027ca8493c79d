namespace AlbertGen.Tasks.Evaluation;

/// <summary>
/// A binary logistic-regression probe on frozen features (the linear-probe protocol of SentEval): features standardised
/// with the training set's mean and standard deviation, then weights and bias minimising the mean log-loss plus
/// (1 / (2·C·n))·‖w‖² (the bias unpenalised) — scikit-learn's <c>LogisticRegression(C)</c> objective divided by n — by
/// <see cref="Lbfgs"/> from zero. Deterministic: no sampling, no seed.
/// </summary>
public sealed class LogisticProbe
{
    readonly double[] _mean, _scale, _weights;

    LogisticProbe(double[] mean, double[] scale, double[] weights, double bias, int iterations)
    {
        _mean = mean;
        _scale = scale;
        _weights = weights;
        Bias = bias;
        Iterations = iterations;
    }

    /// <summary>Weights on the standardised features.</summary>
    public IReadOnlyList<double> Weights => _weights;

    public double Bias { get; }

    /// <summary>L-BFGS iterations the fit ran.</summary>
    public int Iterations { get; }

    /// <summary>Fits the probe; <paramref name="labels"/> are 0 or 1. <paramref name="c"/> is the inverse regularisation strength (scikit-learn's C).</summary>
    public static LogisticProbe Fit(IReadOnlyList<float[]> features, IReadOnlyList<int> labels, double c = 1.0, int maxIterations = 500)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.Count == 0) throw new ArgumentException("no training examples");
        if (features.Count != labels.Count) throw new ArgumentException($"{features.Count} feature rows for {labels.Count} labels");
        if (!(c > 0)) throw new ArgumentOutOfRangeException(nameof(c), $"C must be > 0, found {c}");
        int n = features.Count, d = features[0].Length;
        if (features.Any(f => f.Length != d)) throw new ArgumentException("feature rows differ in length");
        if (labels.Any(l => l is not (0 or 1))) throw new ArgumentException("labels must be 0 or 1");

        var mean = new double[d];
        var scale = new double[d];
        foreach (var f in features)
            for (int j = 0; j < d; j++) mean[j] += f[j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        foreach (var f in features)
            for (int j = 0; j < d; j++) scale[j] += (f[j] - mean[j]) * (f[j] - mean[j]);
        for (int j = 0; j < d; j++)
        {
            double sd = Math.Sqrt(scale[j] / n);
            scale[j] = sd > 1e-12 ? 1 / sd : 0; // a constant feature carries nothing
        }
        var x = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) x[i * d + j] = (features[i][j] - mean[j]) * scale[j];

        double lambda = 1 / (c * n);
        double Objective(ReadOnlySpan<double> p, Span<double> grad)
        {
            // p = (w_0 … w_{d−1}, b)
            grad.Clear();
            double loss = 0;
            for (int i = 0; i < n; i++)
            {
                var row = x.AsSpan(i * d, d);
                double z = p[d];
                for (int j = 0; j < d; j++) z += p[j] * row[j];
                // log(1 + e^z) − y·z, stably; its derivative σ(z) − y
                loss += Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z))) - labels[i] * z;
                double r = Sigmoid(z) - labels[i];
                for (int j = 0; j < d; j++) grad[j] += r * row[j];
                grad[d] += r;
            }
            double reg = 0;
            for (int j = 0; j < d; j++)
            {
                reg += p[j] * p[j];
                grad[j] = grad[j] / n + lambda * p[j];
            }
            grad[d] /= n;
            return loss / n + 0.5 * lambda * reg;
        }

        var (solution, iterations) = Lbfgs.Minimize(Objective, new double[d + 1], maxIterations, gradientTolerance: 1e-6);
        return new LogisticProbe(mean, scale, solution[..d], solution[d], iterations);
    }

    /// <summary>P(label = 1 | features).</summary>
    public double Probability(ReadOnlySpan<float> features)
    {
        if (features.Length != _weights.Length) throw new ArgumentException($"{features.Length} features, the probe was fitted on {_weights.Length}");
        double z = Bias;
        for (int j = 0; j < _weights.Length; j++) z += _weights[j] * (features[j] - _mean[j]) * _scale[j];
        return Sigmoid(z);
    }

    public int Predict(ReadOnlySpan<float> features) => Probability(features) >= 0.5 ? 1 : 0;

    /// <summary>Fraction of rows whose prediction equals the label.</summary>
    public double Accuracy(IReadOnlyList<float[]> features, IReadOnlyList<int> labels)
    {
        if (features.Count != labels.Count) throw new ArgumentException($"{features.Count} feature rows for {labels.Count} labels");
        if (features.Count == 0) return 0;
        int right = 0;
        for (int i = 0; i < features.Count; i++)
            if (Predict(features[i]) == labels[i]) right++;
        return (double)right / features.Count;
    }

    static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}
