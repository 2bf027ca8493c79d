using AlbertGen.Model;
using AlbertGen.SafeTensors;

namespace AlbertGen.Generators.Tests;

/// <summary>The committed fixtures (copied next to the test assembly) and the golden comparison.</summary>
public static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string Dir(string name) => Path.Combine(Root, name);

    public static string Config(string name) => Path.Combine(Dir(name), "config.json");

    public static ConfigFile File(string name, string? model = null, string? ns = null) =>
        ConfigFile.Marked("/repo/models/" + name + "/config.json", System.IO.File.ReadAllText(Config(name)), model, ns);

    /// <summary>‖a − b‖ / ‖b‖ in double precision.</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            diff += d * d;
            norm += (double)expected[i] * expected[i];
        }
        return norm == 0 ? Math.Sqrt(diff) : Math.Sqrt(diff / norm);
    }

    /// <summary>Every tensor of the golden file (except grad.*) is in <paramref name="output"/>, same shape, within <paramref name="tolerance"/>.</summary>
    public static void AssertMatchesGolden(AlbertOutput output, string expectedPath, double tolerance = 1e-5)
    {
        using var expected = SafeTensorsFile.Open(expectedPath);
        var actual = output.Named().ToDictionary(kv => kv.Key, kv => kv.Value);
        var names = expected.Tensors.Select(t => t.Name).Where(n => !n.StartsWith("grad.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(names);
        foreach (var name in names)
        {
            Assert.True(actual.ContainsKey(name), $"output '{name}' missing");
            var e = expected.GetEntry(name);
            var a = actual[name];
            Assert.True(e.Shape.SequenceEqual(a.Shape), $"{name}: shape [{string.Join(",", a.Shape)}] vs expected {e.ShapeText}");
            double err = RelativeError(a.Data, expected.ReadFloat32Array(name));
            Assert.True(err <= tolerance, $"{name}: relative error {err:E3} > {tolerance:E1}");
        }
    }
}
