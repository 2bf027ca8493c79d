using System.Globalization;

namespace AlbertGen.Torch.Training.FineTuning;

/// <summary>Named metrics (insertion order kept) over <see cref="Examples"/> examples.</summary>
public sealed record EvalResult(int Examples, IReadOnlyList<KeyValuePair<string, double>> Metrics)
{
    public double this[string name] => Metrics.First(kv => kv.Key == name).Value;

    public override string ToString() =>
        string.Join(", ", Metrics.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F4}"))) + $" ({Examples} examples)";
}
