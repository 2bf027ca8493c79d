using AlbertGen.Cpu;
using AlbertGen.Embedded;
using AlbertGen.Generators.Tests.Generated;
using AlbertGen.Model;

namespace AlbertGen.Generators.Tests;

/// <summary>
/// AlbertGenEmbedWeights (D37), end to end through this project's own build: AlbertGen.Embed.targets packed the
/// fixture folders into manifest resources of this assembly, and the generated <c>Load()</c> runs on them, giving the
/// folder path's outputs bit for bit (and the HF reference's within 1e-5).
/// </summary>
public class EmbeddedWeightsTests
{
    [Fact]
    public void Embedded_load_matches_the_folder_bit_for_bit()
    {
        string dir = Fixtures.Dir("seqcls-regression");
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        using var embedded = EmbeddedSeqCls.Load();
        using var folder = CpuAlbertModel.Load(dir);
        var a = embedded.ForSequenceClassification(batch);
        var b = folder.Forward(batch);
        Assert.Equal(b.Logits!.Data, a.Logits.Data);
        Assert.Equal(b.LastHiddenState!.Data, a.LastHiddenState.Data);
        Assert.Equal(b.PoolerOutput!.Data, a.PoolerOutput.Data);
        Fixtures.AssertMatchesGolden(a.Raw, Path.Combine(dir, "expected.safetensors"));
        // the JIT exposes the resource as memory of the loaded assembly: used where it lies
        Assert.True(embedded.WeightsInPlace);
    }

    [Fact]
    public void Embedded_files_carry_the_folders_config_and_tokenizer()
    {
        using var model = EmbeddedPipelineMlm.Load();
        string dir = Fixtures.Dir("pipeline-mlm");
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "spiece.model")), model.Files["spiece.model"].ToArray());
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "config.json")), model.Files["config.json"].ToArray());
        Assert.Equal("AlbertGen.Embedded.AlbertGen.Generators.Tests.EmbeddedPipelineMlm.albertpack", EmbeddedPipelineMlm.EmbeddedResourceName);
    }

    [Fact]
    public void Embedded_model_has_no_hf_tensors_and_says_so()
    {
        using var model = EmbeddedSeqCls.Load();
        var e = Assert.Throws<InvalidOperationException>(() => { _ = model.Weights.ClassifierWeight; });
        Assert.Contains("load the model from its folder", e.Message);
    }

    [Fact]
    public void Folder_load_of_an_embedding_class_still_works()
    {
        string dir = Fixtures.Dir("seqcls-regression");
        using var model = EmbeddedSeqCls.Load(dir);
        Assert.False(model.WeightsInPlace);
        Assert.Empty(model.Files);
        Assert.Equal(CpuAlbertModel.Load(dir).Forward(AlbertBatch.Load(Path.Combine(dir, "inputs.json"))).Logits!.Data,
            model.ForSequenceClassification(AlbertBatch.Load(Path.Combine(dir, "inputs.json"))).Logits.Data);
    }

    [Fact]
    public void Generated_source_for_embedding_compiles_and_names_the_resource()
    {
        var md = new Dictionary<string, string> { ["AlbertGenModel"] = "Tiny", ["AlbertGenEmbedWeights"] = "true" };
        var run = GeneratorHarness.Run(new ConfigFile("/repo/models/tiny/config.json", File.ReadAllText(Fixtures.Config("tiny")), md));
        Assert.Empty(run.Diagnostics);
        string text = Assert.Single(run.Sources).SourceText.ToString();
        Assert.Contains("public const string EmbeddedResourceName = \"AlbertGen.Embedded.TestApp.Tiny.albertpack\";", text);
        Assert.Contains("public static Tiny Load() => LoadEmbedded();", text);
        Assert.Empty(run.CompileErrors);
        var problems = run.Output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // without the metadata nothing of it is emitted (the existing snapshots stay as they are)
        var plain = GeneratorHarness.Run(Fixtures.File("tiny"));
        Assert.DoesNotContain("EmbeddedResourceName", Assert.Single(plain.Sources).SourceText.ToString());
    }

    [Fact]
    public void Missing_resource_is_a_clear_error()
    {
        var e = Assert.Throws<PackedModelException>(() => PackedModelImage.OpenResource(typeof(EmbeddedWeightsTests).Assembly, "AlbertGen.Embedded.Nope.albertpack"));
        Assert.Contains("AlbertGenEmbedWeights", e.Message);
    }
}
