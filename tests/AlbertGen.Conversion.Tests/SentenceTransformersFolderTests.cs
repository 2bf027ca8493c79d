using System.Text.Json;
using AlbertGen.SafeTensors;
using AlbertGen.Tasks.Embeddings;
using AlbertGen.Tasks.Pipelines;
using AlbertGen.Tests;

namespace AlbertGen.Conversion.Tests;

/// <summary>
/// A sentence-transformers folder (tests/fixtures/bert/st-folder: the tiny BERT with modules.json, 1_Pooling, 2_Normalize,
/// sentence_bert_config.json max_seq_length 8) converted and embedded with its own settings; expected vectors pooled by
/// numpy from the independent BERT forward (scripts/make_bert_fixtures.py), for each pooling mode.
/// </summary>
public sealed class SentenceTransformersFolderTests
{
    [Theory]
    [InlineData("mean")]
    [InlineData("cls")]
    [InlineData("max")]
    public void EmbeddingsFollowTheFolderModules(string mode)
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("albert");
        var r = BertToAlbert.Convert(Fixtures.Dir("bert/st-folder"), outDir);
        Assert.Contains("modules.json", r.CopiedFiles);
        Assert.Contains("1_Pooling/config.json", r.CopiedFiles);
        WritePooling(outDir, mode);
        var settings = SentenceTransformersConfig.Load(outDir)!;
        Assert.True(settings.Normalize);
        Assert.Equal(8, settings.MaxSeqLength);
        Assert.Equal(mode switch { "cls" => EmbeddingPooling.Cls, "max" => EmbeddingPooling.Max, _ => EmbeddingPooling.Mean }, settings.Pooling);

        var texts = JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(Fixtures.Dir("bert/st-folder"), "texts.json")))!;
        using var pipelines = TextPipelines.OpenForEmbeddings(outDir);
        var vectors = pipelines.Embed(texts, settings);
        using var expected = SafeTensorsFile.Open(Path.Combine(Fixtures.Dir("bert/st-folder"), "expected_embeddings.safetensors"));
        var want = expected.ReadFloat32Array(mode);
        for (int i = 0; i < texts.Length; i++)
        {
            double err = Fixtures.RelativeError(vectors[i], want.AsSpan(i * 32, 32));
            Assert.True(err <= 1e-5, $"{mode}, text {i}: relative error {err:E2}");
        }
    }

    [Fact]
    public void MaxSeqLengthTruncates()
    {
        // the third text has 12 tokens: without max_seq_length 8 its vector differs from the expected one
        using var tmp = new TempDir();
        string outDir = tmp.File("albert");
        BertToAlbert.Convert(Fixtures.Dir("bert/st-folder"), outDir);
        var settings = SentenceTransformersConfig.Load(outDir)! with { MaxSeqLength = null };
        var texts = JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(Fixtures.Dir("bert/st-folder"), "texts.json")))!;
        using var pipelines = TextPipelines.OpenForEmbeddings(outDir);
        var v = pipelines.Embed(texts, settings);
        using var expected = SafeTensorsFile.Open(Path.Combine(Fixtures.Dir("bert/st-folder"), "expected_embeddings.safetensors"));
        var want = expected.ReadFloat32Array("mean");
        Assert.True(Fixtures.RelativeError(v[0], want.AsSpan(0, 32)) <= 1e-5);
        Assert.True(Fixtures.RelativeError(v[2], want.AsSpan(64, 32)) > 1e-3);
    }

    [Fact]
    public void PlainFolderHasNoSettings() => Assert.Null(SentenceTransformersConfig.Load(Fixtures.Dir("bert/tiny")));

    [Fact]
    public void PromptsAndLowerCaseAreRead()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("modules.json"), """[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"}]""");
        File.WriteAllText(tmp.File("sentence_bert_config.json"), """{"max_seq_length": 128, "do_lower_case": true}""");
        File.WriteAllText(tmp.File("config_sentence_transformers.json"), """{"prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": "query"}""");
        var s = SentenceTransformersConfig.Load(tmp.Path)!;
        Assert.Equal(("query: ", 128, true, false, EmbeddingPooling.Mean), (s.DefaultPrompt, s.MaxSeqLength, s.DoLowerCase, s.Normalize, s.Pooling));
    }

    [Theory]
    [InlineData("""[{"idx":0,"path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"path":"2_Dense","type":"sentence_transformers.models.Dense"}]""", null, "Dense")]
    [InlineData(null, """{"pooling_mode_cls_token": false, "pooling_mode_mean_tokens": false}""", "none set")]
    [InlineData(null, """{"pooling_mode_weightedmean_tokens": true}""", "weightedmean")]
    [InlineData(null, """{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true}""", "pooling_mode_cls_token + pooling_mode_mean_tokens")]
    public void UnsupportedModulesAreRefusedNamingThem(string? modules, string? pooling, string expected)
    {
        using var tmp = new TempDir();
        if (modules is not null) File.WriteAllText(tmp.File("modules.json"), modules);
        if (pooling is not null)
        {
            Directory.CreateDirectory(tmp.File("1_Pooling"));
            File.WriteAllText(Path.Combine(tmp.File("1_Pooling"), "config.json"), pooling);
        }
        var e = Assert.Throws<InvalidDataException>(() => SentenceTransformersConfig.Load(tmp.Path));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    static void WritePooling(string dir, string mode) =>
        File.WriteAllText(Path.Combine(dir, "1_Pooling", "config.json"), $$"""
            {"word_embedding_dimension": 32, "pooling_mode_cls_token": {{(mode == "cls" ? "true" : "false")}},
             "pooling_mode_mean_tokens": {{(mode == "mean" ? "true" : "false")}}, "pooling_mode_max_tokens": {{(mode == "max" ? "true" : "false")}},
             "pooling_mode_mean_sqrt_len_tokens": false}
            """);
}
