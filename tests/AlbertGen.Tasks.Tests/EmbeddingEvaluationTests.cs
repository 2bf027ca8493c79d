using AlbertGen.Tasks.Evaluation;

namespace AlbertGen.Tasks.Tests;

/// <summary>The measures of <c>albertgen embed-eval</c> (D44): cosine, STS Spearman, mean cosine, L-BFGS and the logistic probe.</summary>
public sealed class EmbeddingEvaluationTests
{
    [Fact]
    public void Cosine_matches_hand_computed_values()
    {
        Assert.Equal(1 / Math.Sqrt(2), EmbeddingMetrics.Cosine([1f, 0f], [1f, 1f]), 12);
        Assert.Equal(-1, EmbeddingMetrics.Cosine([1f, 2f, 3f], [-2f, -4f, -6f]), 12);
        Assert.Equal(0, EmbeddingMetrics.Cosine([1f, 0f], [0f, 5f]), 12);
        Assert.Equal(0, EmbeddingMetrics.Cosine([0f, 0f], [1f, 1f])); // zero vector: 0, not NaN
        Assert.Throws<ArgumentException>(() => EmbeddingMetrics.Cosine([1f], [1f, 2f]));
    }

    [Fact]
    public void Mean_cosine_averages_the_rows()
    {
        // rows: identical (1), orthogonal (0), 45° (1/√2)
        float[][] model = [[1, 0], [1, 0], [1, 1]];
        float[][] reference = [[2, 0], [0, 3], [0, 1]];
        Assert.Equal((1 + 0 + 1 / Math.Sqrt(2)) / 3, EmbeddingMetrics.MeanCosine(model, reference), 12);
    }

    [Fact]
    public void Sts_spearman_ranks_the_pair_cosines_against_gold()
    {
        // cosines of the pairs: 1, 1/√2, 0, −1 — decreasing; gold decreasing too → ρ = 1; gold increasing → ρ = −1
        float[][] a = [[1, 0], [1, 0], [1, 0], [1, 0]];
        float[][] b = [[1, 0], [1, 1], [0, 1], [-1, 0]];
        Assert.Equal(100, EmbeddingMetrics.StsSpearman(a, b, [5, 3, 2, 0]), 9);
        Assert.Equal(-100, EmbeddingMetrics.StsSpearman(a, b, [0, 1, 2, 5]), 9);
        // one swap among four: ρ = 1 − 6·Σd²/(n(n²−1)) = 1 − 6·2/60 = 0.8
        Assert.Equal(80, EmbeddingMetrics.StsSpearman(a, b, [5, 2, 3, 0]), 9);
    }

    [Fact]
    public void Lbfgs_finds_the_minimum_of_a_quadratic_and_of_rosenbrock()
    {
        // f = Σ (i+1)·(x_i − i)²: minimum at x_i = i
        var (x, _) = Lbfgs.Minimize((p, g) =>
        {
            double f = 0;
            for (int i = 0; i < p.Length; i++)
            {
                f += (i + 1) * (p[i] - i) * (p[i] - i);
                g[i] = 2 * (i + 1) * (p[i] - i);
            }
            return f;
        }, new double[5], gradientTolerance: 1e-10);
        for (int i = 0; i < 5; i++) Assert.Equal(i, x[i], 6);

        // Rosenbrock from (−1.2, 1): minimum at (1, 1)
        var (r, iterations) = Lbfgs.Minimize((p, g) =>
        {
            double a = 1 - p[0], b = p[1] - p[0] * p[0];
            g[0] = -2 * a - 400 * p[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        }, [-1.2, 1], maxIterations: 1000, gradientTolerance: 1e-8);
        Assert.Equal(1, r[0], 4);
        Assert.Equal(1, r[1], 4);
        Assert.InRange(iterations, 1, 999);
    }

    [Fact]
    public void Probe_separates_a_linearly_separable_set_and_generalises_to_new_points()
    {
        var rng = new Random(7);
        (List<float[]> X, List<int> Y) Sample(int n)
        {
            var xs = new List<float[]>();
            var ys = new List<int>();
            while (xs.Count < n)
            {
                // label = [x0 + 2·x1 − 0.5 > 0], with a margin of 0.2; x2 is noise
                float x0 = (float)(rng.NextDouble() * 4 - 2), x1 = (float)(rng.NextDouble() * 4 - 2), x2 = (float)(rng.NextDouble() * 10);
                double m = x0 + 2 * x1 - 0.5;
                if (Math.Abs(m) < 0.2) continue;
                xs.Add([x0, x1, x2]);
                ys.Add(m > 0 ? 1 : 0);
            }
            return (xs, ys);
        }
        var (trainX, trainY) = Sample(400);
        var (testX, testY) = Sample(200);
        var probe = LogisticProbe.Fit(trainX, trainY, c: 100);
        Assert.Equal(1.0, probe.Accuracy(trainX, trainY));
        Assert.True(probe.Accuracy(testX, testY) >= 0.98, $"test accuracy {probe.Accuracy(testX, testY)}");
        // the learned direction: w1/w0 ≈ 2·sd(x1)/sd(x0) on standardised features (equal here), the noise weight small
        var w = probe.Weights;
        Assert.InRange(w[1] / w[0], 1.5, 2.5);
        Assert.True(Math.Abs(w[2]) < 0.2 * Math.Abs(w[1]), $"noise weight {w[2]} against {w[1]}");
    }

    [Fact]
    public void Probe_without_information_learns_the_prior_and_l2_shrinks_the_weights()
    {
        // a constant feature carries nothing: the bias alone fits, at logit(3/4) = ln 3
        float[][] constant = [[2], [2], [2], [2]];
        var prior = LogisticProbe.Fit(constant, [1, 1, 1, 0]);
        Assert.Equal(Math.Log(3), prior.Bias, 4);
        Assert.Equal(0, prior.Weights[0]);
        Assert.Equal(0.75, prior.Probability([2f]), 4);

        // a stronger penalty (smaller C) gives a smaller weight on the same data
        float[][] x = [[-2], [-1], [-0.5f], [0.5f], [1], [2]];
        int[] y = [0, 0, 1, 0, 1, 1];
        double weak = Math.Abs(LogisticProbe.Fit(x, y, c: 10).Weights[0]);
        double strong = Math.Abs(LogisticProbe.Fit(x, y, c: 0.01).Weights[0]);
        Assert.True(strong < weak, $"|w| {strong} with C 0.01 against {weak} with C 10");
        Assert.True(strong > 0);
    }

    [Fact]
    public void Probe_fit_is_deterministic_and_checks_its_inputs()
    {
        float[][] x = [[0, 1], [1, 0], [1, 1], [0, 0]];
        int[] y = [1, 0, 1, 0];
        var a = LogisticProbe.Fit(x, y);
        var b = LogisticProbe.Fit(x, y);
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.Bias, b.Bias);
        Assert.Throws<ArgumentException>(() => LogisticProbe.Fit(x, [1, 0, 2, 0]));
        Assert.Throws<ArgumentException>(() => LogisticProbe.Fit(x, [1, 0]));
        Assert.Throws<ArgumentException>(() => LogisticProbe.Fit([], Array.Empty<int>()));
    }
}
