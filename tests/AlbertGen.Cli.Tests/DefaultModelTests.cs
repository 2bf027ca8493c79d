using System.Text.Json;
using AlbertGen.Config;

namespace AlbertGen.Cli.Tests;

/// <summary>
/// The embedded default models (src/AlbertGen.Cli/models, made by scripts/default-model/make.sh) as a newcomer meets
/// them: the task verbs without <c>--model</c>, a complete HF folder with a model card, and the classifier's quality on
/// the shared SST-2 dev split (a broken or swapped checkpoint fails here).
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
    public void Embed_without_model_uses_the_embedded_default()
    {
        var r = Cli.RunWithInput("the sea was calm\nthe night was dark\n", "embed");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = Lines(r.Stdout);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Equal(256, l.GetProperty("embedding").GetArrayLength()));
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
