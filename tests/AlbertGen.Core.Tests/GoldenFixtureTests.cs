using AlbertGen.Cpu;
using AlbertGen.Model;

namespace AlbertGen.Tests;

/// <summary>
/// Fixtures made by scripts/make_fixtures.py with the HF reference (albert_ref.py via albert_run.py): group layouts,
/// activations, every head with its loss, padding patterns, half-precision weights. fp32 target: ≤ 1e-5 relative.
/// </summary>
public class GoldenFixtureTests
{
    static List<string> FixtureNames() =>
        Directory.GetDirectories(Fixtures.Root)
            .Where(d => File.Exists(Path.Combine(d, "expected.safetensors")) && File.Exists(Path.Combine(d, "inputs.json")))
            .Select(d => Path.GetFileName(d)!)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> Names() => new(FixtureNames());

    [Fact]
    public void All_expected_fixtures_are_present()
    {
        // guards against the theory silently running on an empty set (e.g. fixtures not copied)
        var names = FixtureNames();
        foreach (var required in new[] { "tiny", "grouped", "groups3-inner2", "bare-names", "masked-lm", "seqcls-single", "seqcls-regression",
                     "seqcls-multilabel", "tokcls", "qa", "multiple-choice", "pretraining-untied", "f16-weights", "act-gelu_fast", "act-linear" })
            Assert.Contains(required, names);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Cpu_engine_matches_hf_reference(string name)
    {
        string dir = Fixtures.Dir(name);
        using var model = CpuAlbertModel.Load(dir);
        var output = model.Forward(AlbertBatch.Load(Path.Combine(dir, "inputs.json")));
        Fixtures.AssertMatches(output, Path.Combine(dir, "expected.safetensors"));
    }
}
