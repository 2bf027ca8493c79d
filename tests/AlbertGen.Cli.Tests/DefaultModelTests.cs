using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Tasks.Distillation;
using AlbertGen.Tasks.Embeddings;
using AlbertGen.Tasks.FineTuning;
using AlbertGen.Tasks.Pipelines;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AlbertGen.Cli.Tests;

/// <summary>
/// The embedded default models (src/AlbertGen.Cli/models, made by scripts/default-model/make.sh) as a newcomer meets
/// them: the task verbs without <c>--model</c>, a complete HF folder with a model card, the classifier's quality on
/// the shared SST-2 dev split and the embedding model's on STS-B dev (a broken or swapped checkpoint fails here).
/// </summary>
public class DefaultModelTests
{
    static string Installed(string name) => Path.Combine(AppContext.BaseDirectory, "models", name);

    static JsonElement[] Lines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();

    [Theory]
    [InlineData("albert-default", AlbertHead.PreTraining)]
    [InlineData("albert-default-sst2", AlbertHead.SequenceClassification)]
    public void Each_default_model_is_a_complete_hf_folder_with_a_model_card(string name, AlbertHead head)
    {
        string dir = Installed(name);
        foreach (var file in new[] { "config.json", "model.safetensors", "spiece.model", "tokenizer_config.json", "README.md" })
            Assert.True(File.Exists(Path.Combine(dir, file)), $"{name}/{file} is missing");
        var config = AlbertConfig.Load(dir);
        Assert.Equal(head, config.DefaultHead);
        Assert.Equal(config.VocabSize, Tokenization.AlbertTokenizer.FromModelDirectory(dir).VocabSize);
    }

    [Fact]
    public void Fill_mask_without_model_uses_the_embedded_default()
    {
        var r = Cli.Run("fill-mask", "The [MASK] was bright.", "--top-k", "5", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var candidates = Lines(r.Stdout).Single().GetProperty("candidates").EnumerateArray().ToArray();
        Assert.Equal(5, candidates.Length);
        double previous = 1;
        foreach (var c in candidates)
        {
            Assert.InRange(c.GetProperty("token_id").GetInt32(), 0, 7999);
            double score = c.GetProperty("score").GetDouble();
            Assert.InRange(score, 0, previous);
            previous = score;
            Assert.DoesNotContain("[MASK]", c.GetProperty("sequence").GetString());
        }
    }

    [Fact]
    public void Classify_without_model_uses_the_embedded_sentiment_model()
    {
        var r = Cli.RunWithInput("a gripping, funny film\n\nthe worst movie of the year\n", "classify", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = Lines(r.Stdout);
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
        {
            Assert.Contains(line.GetProperty("label").GetString(), new[] { "negative", "positive" });
            Assert.InRange(line.GetProperty("score").GetDouble(), 0.5, 1.0);
        }
    }

    [Fact]
    public void Embed_without_model_uses_the_embedded_embedding_model()
    {
        var r = Cli.RunWithInput("A man is playing a guitar.\nA man plays the guitar.\nThe stock market fell sharply today.\n", "embed");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var vectors = Lines(r.Stdout).Select(l => l.GetProperty("embedding").EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        Assert.Equal(3, vectors.Length);
        Assert.All(vectors, v => Assert.Equal(EmbeddingDimensions, v.Length));
        // its sentence-transformers files ask for L2-normalised vectors
        Assert.All(vectors, v => Assert.Equal(1.0, Math.Sqrt(v.Sum(x => x * x)), 4));
        double paraphrase = Dot(vectors[0], vectors[1]), unrelated = Dot(vectors[0], vectors[2]);
        Assert.True(paraphrase > unrelated + 0.3, $"cosine of a paraphrase {paraphrase:F3}, of an unrelated sentence {unrelated:F3}");
    }

    [Fact]
    public void The_embedding_model_is_a_complete_sentence_transformers_folder_with_license_and_card()
    {
        string dir = Installed(DefaultModels.Embedding);
        foreach (var file in new[] { "config.json", "model.safetensors", "vocab.txt", "modules.json", "1_Pooling/config.json", "sentence_bert_config.json", "README.md", "LICENSE" })
            Assert.True(File.Exists(Path.Combine(dir, file)), $"{DefaultModels.Embedding}/{file} is missing");
        var config = AlbertConfig.Load(dir);
        Assert.Equal(AlbertHead.Base, config.DefaultHead);
        Assert.Equal(EmbeddingDimensions, config.HiddenSize);
        Assert.Equal(config.VocabSize, Tokenization.AlbertTokenizer.FromModelDirectory(dir).VocabSize);
        Assert.Contains("Apache License", File.ReadAllText(Path.Combine(dir, "LICENSE")));
        Assert.Contains("all-MiniLM-L6-v2", File.ReadAllText(Path.Combine(dir, "README.md")));
    }

    [Fact]
    public async Task The_embedding_generator_without_a_folder_uses_the_embedded_embedding_model()
    {
        const string text = "the sea was calm";
        var cli = Cli.Run("embed", text);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        var expected = Lines(cli.Stdout).Single().GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle()).ToArray();
        var services = new ServiceCollection().AddAlbertEmbeddingGenerator().BuildServiceProvider();
        await using (services)
        {
            var generator = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            var result = await generator.GenerateAsync([text]);
            Assert.Equal(DefaultModels.Embedding, result[0].ModelId);
            var v = result[0].Vector.ToArray();
            Assert.Equal(EmbeddingDimensions, v.Length);
            for (int i = 0; i < v.Length; i++)
                Assert.True(Math.Abs(v[i] - expected[i]) <= 1e-5, $"[{i}] {v[i]} vs {expected[i]}");
        }
    }

    /// <summary>The model card reports STS-B dev Spearman; this recomputes it through the CLI (data/sts/sts-dev.tsv).</summary>
    [Fact]
    public void The_embedding_model_reaches_its_reported_stsb_dev_spearman()
    {
        string? root = null;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null && root is null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "AlbertGen.sln"))) root = d.FullName;
        Assert.True(root is not null, "repository root (AlbertGen.sln) not found above the test binary");
        var pairs = StsPairReader.Read(Path.Combine(root!, "data", "sts", "sts-dev.tsv"));
        var sentences = pairs.SelectMany(p => new[] { p.A, p.B }).Distinct(StringComparer.Ordinal).ToArray();
        var r = Cli.RunWithInput(string.Join("\n", sentences) + "\n", "embed");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = Lines(r.Stdout);
        Assert.Equal(sentences.Length, lines.Length);
        var vectors = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (int i = 0; i < sentences.Length; i++)
            vectors[sentences[i]] = lines[i].GetProperty("embedding").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var cosines = pairs.Select(p => Dot(vectors[p.A], vectors[p.B])).ToList();
        double spearman = 100 * RegressionMetrics.Spearman(cosines, pairs.Select(p => p.Score).ToList());
        Assert.True(spearman >= MinimumStsbDevSpearman, $"STS-B dev Spearman × 100 {spearman:F2} < {MinimumStsbDevSpearman} ({pairs.Count} pairs)");
    }

    const int EmbeddingDimensions = 384;

    // the model card's figure, rounded down: a regression below it means the shipped weights or the engine changed
    const double MinimumStsbDevSpearman = 86.5;

    static double Dot(double[] x, double[] y)
    {
        double d = 0;
        for (int i = 0; i < x.Length; i++) d += x[i] * y[i];
        return d;
    }

    /// <summary>The model card reports the dev accuracy; this recomputes it with the CPU engine through the CLI.</summary>
    [SharedDataFact("tasks/SST-2/dev.tsv")]
    public void The_default_classifier_reaches_its_reported_sst2_dev_accuracy()
    {
        var rows = File.ReadAllLines(SharedData.Find("tasks/SST-2/dev.tsv")!).Skip(1)
            .Select(l => l.Split('\t')).Where(c => c.Length == 2).ToArray();
        var r = Cli.RunWithInput(string.Join("\n", rows.Select(c => c[0])) + "\n", "classify", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = Lines(r.Stdout);
        Assert.Equal(rows.Length, lines.Length);
        int correct = 0;
        for (int i = 0; i < rows.Length; i++)
            correct += lines[i].GetProperty("label").GetString() == (rows[i][1] == "1" ? "positive" : "negative") ? 1 : 0;
        double accuracy = (double)correct / rows.Length;
        Assert.True(accuracy >= MinimumDevAccuracy, $"SST-2 dev accuracy {accuracy:F4} < {MinimumDevAccuracy} ({rows.Length} sentences)");
    }

    // the model card's figure, rounded down: a regression below it means the shipped weights or the engine changed
    const double MinimumDevAccuracy = 0.79;
}
