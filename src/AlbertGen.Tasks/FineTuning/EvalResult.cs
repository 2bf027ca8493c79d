using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlbertGen.Tasks.FineTuning;

/// <summary>Named metrics (insertion order kept) over <see cref="Examples"/> examples.</summary>
public sealed record EvalResult(int Examples, IReadOnlyList<KeyValuePair<string, double>> Metrics)
{
    public double this[string name] => Metrics.First(kv => kv.Key == name).Value;

    public override string ToString() =>
        string.Join(", ", Metrics.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F4}"))) + $" ({Examples} examples)";

    /// <summary>Writes HF's <c>eval_results.json</c> into <paramref name="directory"/>: metric name → value (and the example count).</summary>
    public void WriteJson(string directory)
    {
        Directory.CreateDirectory(directory);
        var json = new JsonObject { ["eval_samples"] = Examples };
        foreach (var (name, value) in Metrics) json[name] = double.IsFinite(value) ? value : null;
        File.WriteAllText(Path.Combine(directory, "eval_results.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
