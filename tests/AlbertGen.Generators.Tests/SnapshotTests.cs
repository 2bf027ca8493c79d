namespace AlbertGen.Generators.Tests;

/// <summary>
/// Generated source compared exactly with committed snapshots (Snapshots/*.g.cs). To regenerate after an intended
/// change: <c>ALBERTGEN_UPDATE_SNAPSHOTS=1 dotnet test tests/AlbertGen.Generators.Tests</c>, then review the diff.
/// The variable is ignored when <c>CI</c> is set: CI never accepts new output.
/// </summary>
public class SnapshotTests
{
    /// <summary>Google's original albert_config.json for ALBERT-base v2 (no model_type, no architectures, "gelu" = tanh form).</summary>
    public const string GoogleBaseConfig = """
        {
          "attention_probs_dropout_prob": 0,
          "hidden_act": "gelu",
          "hidden_dropout_prob": 0,
          "embedding_size": 128,
          "hidden_size": 768,
          "initializer_range": 0.02,
          "intermediate_size": 3072,
          "max_position_embeddings": 512,
          "num_attention_heads": 12,
          "num_hidden_layers": 12,
          "num_hidden_groups": 1,
          "net_structure_type": 0,
          "gap_size": 0,
          "num_memory_blocks": 0,
          "inner_group_num": 1,
          "down_scale_factor": 1,
          "type_vocab_size": 2,
          "vocab_size": 30000
        }
        """;

    public static TheoryData<string, string> Cases() => new()
    {
        { "tiny", "pretraining, the shared tiny fixture" },
        { "grouped", "2 groups × 2 inner layers over 5 layers, no architectures (all heads)" },
        { "groups3-inner2", "3 groups × 2 inner layers over 7 layers" },
        { "masked-lm", "AlbertForMaskedLM" },
        { "seqcls-single", "AlbertForSequenceClassification with id2label" },
        { "tokcls", "AlbertForTokenClassification" },
        { "qa", "AlbertForQuestionAnswering" },
        { "multiple-choice", "AlbertForMultipleChoice" },
        { "pretraining-untied", "AlbertForPreTraining, tie_word_embeddings false" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_source_matches_snapshot(string fixture, string description)
    {
        _ = description;
        var run = GeneratorHarness.Run(Fixtures.File(fixture));
        Assert.Empty(run.Diagnostics);
        var source = Assert.Single(run.Sources);
        Assert.Equal("TestApp." + Parser.DefaultClassName("/m/" + fixture + "/config.json") + ".g.cs", source.HintName);
        AssertSnapshot(fixture + ".g.cs", source.SourceText.ToString());
    }

    [Fact]
    public void Google_albert_config_matches_snapshot()
    {
        var run = GeneratorHarness.Run(ConfigFile.Marked("/repo/models/albert_base/albert_config.json", GoogleBaseConfig, "AlbertBaseV2", "MyApp.Models"));
        Assert.Empty(run.Diagnostics);
        var source = Assert.Single(run.Sources);
        Assert.Equal("MyApp.Models.AlbertBaseV2.g.cs", source.HintName);
        AssertSnapshot("google-albert-base.g.cs", source.SourceText.ToString());
    }

    internal static void AssertSnapshot(string name, string actual)
    {
        string path = Path.Combine(GeneratorHarness.SourceDirectory(), "Snapshots", name);
        bool update = Environment.GetEnvironmentVariable("ALBERTGEN_UPDATE_SNAPSHOTS") == "1"
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        if (update)
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"snapshot {path} is missing: run with ALBERTGEN_UPDATE_SNAPSHOTS=1, review and commit it");
        string expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual);
    }
}
