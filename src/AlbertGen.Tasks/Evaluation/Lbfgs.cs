namespace AlbertGen.Tasks.Evaluation;

/// <summary>
/// Limited-memory BFGS for small smooth problems (Nocedal &amp; Wright, "Numerical Optimization", 2nd ed., Algorithm 7.4:
/// the two-loop recursion), with a backtracking Armijo line search. Deterministic: the same function and start give the
/// same iterates. Written small for <see cref="LogisticProbe"/>; not a general-purpose optimiser.
/// </summary>
public static class Lbfgs
{
    /// <summary>Evaluates the objective at <c>x</c> and writes its gradient into <c>gradient</c>.</summary>
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>
    /// Minimises <paramref name="f"/> from <paramref name="start"/>; stops when the largest gradient component is below
    /// <paramref name="gradientTolerance"/>, when a step no longer lowers f by a relative 1e-12, or after
    /// <paramref name="maxIterations"/> iterations. Returns the minimiser and the iterations run.
    /// </summary>
    public static (double[] X, int Iterations) Minimize(Objective f, ReadOnlySpan<double> start, int maxIterations = 500,
        double gradientTolerance = 1e-6, int memory = 10)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (maxIterations < 0) throw new ArgumentOutOfRangeException(nameof(maxIterations));
        if (memory < 1) throw new ArgumentOutOfRangeException(nameof(memory));
        int n = start.Length;
        var x = start.ToArray();
        var g = new double[n];
        double fx = f(x, g);
        var s = new double[memory][];
        var y = new double[memory][];
        var rho = new double[memory];
        var alpha = new double[memory];
        int stored = 0, next = 0;
        var d = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        int it = 0;
        for (; it < maxIterations && MaxAbs(g) > gradientTolerance; it++)
        {
            // d = −H·g by the two-loop recursion; H₀ = (sᵀy / yᵀy)·I from the newest pair, or 1/‖g‖ on the first step
            for (int i = 0; i < n; i++) d[i] = -g[i];
            for (int k = 0; k < stored; k++)
            {
                int j = (next - 1 - k + memory) % memory;
                alpha[j] = rho[j] * Dot(s[j], d);
                Axpy(-alpha[j], y[j], d);
            }
            double gamma = 1 / Math.Sqrt(Dot(g, g));
            if (stored > 0)
            {
                int j = (next - 1 + memory) % memory;
                gamma = Dot(s[j], y[j]) / Dot(y[j], y[j]);
            }
            for (int i = 0; i < n; i++) d[i] *= gamma;
            for (int k = stored - 1; k >= 0; k--)
            {
                int j = (next - 1 - k + memory) % memory;
                double beta = rho[j] * Dot(y[j], d);
                Axpy(alpha[j] - beta, s[j], d);
            }
            double slope = Dot(g, d);
            if (slope >= 0)
            {
                // not a descent direction (curvature information gone bad): restart from steepest descent
                stored = 0;
                double norm = Math.Sqrt(Dot(g, g));
                for (int i = 0; i < n; i++) d[i] = -g[i] / norm;
                slope = Dot(g, d);
            }
            // backtracking Armijo: f(x + t·d) ≤ f(x) + 1e-4·t·gᵀd
            double t = 1, fNew = double.NaN;
            bool accepted = false;
            for (int ls = 0; ls < 60; ls++, t *= 0.5)
            {
                for (int i = 0; i < n; i++) xNew[i] = x[i] + t * d[i];
                fNew = f(xNew, gNew);
                if (double.IsFinite(fNew) && fNew <= fx + 1e-4 * t * slope) { accepted = true; break; }
            }
            if (!accepted) break;
            var sNew = s[next] ??= new double[n];
            var yNew = y[next] ??= new double[n];
            for (int i = 0; i < n; i++)
            {
                sNew[i] = xNew[i] - x[i];
                yNew[i] = gNew[i] - g[i];
            }
            double sy = Dot(sNew, yNew);
            if (sy > 1e-12 * Math.Sqrt(Dot(sNew, sNew) * Dot(yNew, yNew)))
            {
                rho[next] = 1 / sy;
                next = (next + 1) % memory;
                stored = Math.Min(stored + 1, memory);
            }
            bool stalled = fx - fNew <= 1e-12 * Math.Max(1, Math.Abs(fx));
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            fx = fNew;
            if (stalled) { it++; break; }
        }
        return (x, it);
    }

    static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < y.Length; i++) y[i] += a * x[i];
    }

    static double MaxAbs(double[] v)
    {
        double m = 0;
        foreach (var e in v) m = Math.Max(m, Math.Abs(e));
        return m;
    }
}
