using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AlbertGen.Generators.Tests;

/// <summary>Incrementality: unrelated edits re-run nothing; a config edit re-runs only that config.</summary>
public class CachingTests
{
    static readonly string[] TrackedSteps =
    [
        AlbertModelGenerator.Steps.Input, AlbertModelGenerator.Steps.Parse, AlbertModelGenerator.Steps.Models,
        AlbertModelGenerator.Steps.Emit, AlbertModelGenerator.Steps.Diagnostics,
    ];

    [Fact]
    public void Editing_an_unrelated_csharp_file_reruns_no_step()
    {
        var files = new[] { Fixtures.File("tiny"), Fixtures.File("qa") };
        var compilation = GeneratorHarness.CreateCompilation("namespace TestApp { public static class Program { } }");
        var driver = GeneratorHarness.CreateDriver(files).RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace TestApp { internal static class Unrelated { public static int X => 1; } }"));
        driver = driver.RunGenerators(edited);
        var result = driver.GetRunResult().Results.Single();

        foreach (var name in TrackedSteps)
        {
            Assert.True(result.TrackedSteps.TryGetValue(name, out var steps), $"step {name} was not tracked");
            foreach (var step in steps)
            {
                foreach (var (_, reason) in step.Outputs)
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {reason}");
            }
        }
        foreach (var step in result.TrackedOutputSteps.SelectMany(kv => kv.Value))
        {
            foreach (var (_, reason) in step.Outputs)
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output: {reason}");
        }
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    [Fact]
    public void Editing_one_config_reparses_only_that_config()
    {
        var tiny = Fixtures.File("tiny");
        var qa = Fixtures.File("qa");
        var compilation = GeneratorHarness.CreateCompilation("namespace TestApp { public static class Program { } }");
        var driver = GeneratorHarness.CreateDriver([tiny, qa], out var texts).RunGenerators(compilation);

        var qaEdited = qa with { Text = qa.Text!.Replace("\"num_hidden_layers\": 3", "\"num_hidden_layers\": 2") };
        Assert.NotEqual(qa.Text, qaEdited.Text);
        driver = driver.ReplaceAdditionalText(texts.Single(t => t.Path == qa.Path), GeneratorHarness.ToAdditionalText(qaEdited));
        driver = driver.RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();

        var parse = result.TrackedSteps[AlbertModelGenerator.Steps.Parse].Select(s => s.Outputs.Single().Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Cached, parse);     // tiny
        Assert.Contains(IncrementalStepRunReason.Modified, parse);   // qa
        var emit = result.TrackedSteps[AlbertModelGenerator.Steps.Emit].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, emit);
        Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("public const int NumHiddenLayers = 2;", StringComparison.Ordinal));
    }
}
