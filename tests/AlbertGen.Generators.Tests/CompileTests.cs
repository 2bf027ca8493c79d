namespace AlbertGen.Generators.Tests;

/// <summary>The generated code compiles, without errors or warnings, against AlbertGen.Core, for every kind of config.</summary>
public class CompileTests
{
    public static TheoryData<string> FixtureNames() => new(Directory.GetDirectories(Fixtures.Root).Where(d => File.Exists(Path.Combine(d, "config.json"))).Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Generated_code_compiles_against_core(string fixture)
    {
        var run = GeneratorHarness.Run(Fixtures.File(fixture));
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.Sources);
        var problems = run.Output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Several_models_in_one_project_compile_together()
    {
        var run = GeneratorHarness.Run(Fixtures.File("tiny"), Fixtures.File("qa"), Fixtures.File("grouped", "Grouped", "Other.Namespace"),
            ConfigFile.Marked("/repo/google/albert_config.json", SnapshotTests.GoogleBaseConfig, "GoogleBase"));
        Assert.Empty(run.Diagnostics);
        Assert.Equal(4, run.Sources.Count);
        Assert.Empty(run.CompileErrors);
    }

    [Fact]
    public void Files_without_albertgen_metadata_are_ignored()
    {
        var unmarked = new ConfigFile("/repo/models/tiny/config.json", File.ReadAllText(Fixtures.Config("tiny")), new Dictionary<string, string>());
        var run = GeneratorHarness.Run(unmarked);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Namespace_defaults_to_root_namespace_then_to_AlbertGen_Generated()
    {
        var withRoot = GeneratorHarness.Run([Fixtures.File("tiny")], "My.Root");
        Assert.Equal("My.Root.Tiny.g.cs", Assert.Single(withRoot.Sources).HintName);
        var without = GeneratorHarness.Run([Fixtures.File("tiny")], null);
        Assert.Equal("AlbertGen.Generated.Tiny.g.cs", Assert.Single(without.Sources).HintName);
    }
}
