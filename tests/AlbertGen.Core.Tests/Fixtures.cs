using AlbertGen.Model;
using AlbertGen.SafeTensors;

namespace AlbertGen.Tests;

/// <summary>Paths to committed fixtures and the relative-error comparison the golden tests use.</summary>
public static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string Dir(string name) => Path.Combine(Root, name);

    /// <summary>‖a − b‖ / ‖b‖ in double precision (‖a − b‖ when b is zero).</summary>
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

    /// <summary>Asserts every tensor of <paramref name="expectedPath"/> (except grad.*) is in <paramref name="output"/> with the same shape and within <paramref name="tolerance"/>; and no extra outputs.</summary>
    public static void AssertMatches(AlbertOutput output, string expectedPath, double tolerance = 1e-5)
    {
        using var expected = SafeTensorsFile.Open(expectedPath);
        var actual = output.Named().ToDictionary(kv => kv.Key, kv => kv.Value);
        var expectedNames = expected.Tensors.Select(t => t.Name).Where(n => !n.StartsWith("grad.", StringComparison.Ordinal)).ToHashSet();
        Assert.Equal(expectedNames.OrderBy(n => n, StringComparer.Ordinal), actual.Keys.OrderBy(n => n, StringComparer.Ordinal));
        foreach (var name in expectedNames)
        {
            var e = expected.GetEntry(name);
            var a = actual[name];
            Assert.True(e.Shape.SequenceEqual(a.Shape), $"{name}: shape [{string.Join(",", a.Shape)}] vs expected {e.ShapeText}");
            var ev = new float[e.ElementCount];
            expected.ReadAsFloat32(e, ev);
            double err = RelativeError(a.Data, ev);
            Assert.True(err <= tolerance, $"{name}: relative error {err:E3} > {tolerance:E1}");
        }
    }
}
