using System.Text.Json;


namespace AlbertGen.Cli.Tests;

public class FinetuneCommandTests : IDisposable
{
    readonly string _tmp = Path.Combine(Path.GetTempPath(), "albertgen-finetune-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_tmp, recursive: true); } catch (IOException) { }
    }

    string Tsv(string name, int n, int seed)
    {
        Directory.CreateDirectory(_tmp);
        var rng = new Random(seed);
        string[] good = ["great", "lovely", "wonderful", "funny", "gripping"], bad = ["dull", "awful", "boring", "tedious", "bad"];
        var lines = new List<string> { "sentence\tlabel" };
        for (int i = 0; i < n; i++)
        {
            int label = rng.Next(2);
            var words = label == 1 ? good : bad;
            lines.Add($"a {words[rng.Next(5)]} and {words[rng.Next(5)]} film\t{label}");
        }
        string path = Path.Combine(_tmp, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [TorchFact]
    public void Finetune_learns_a_separable_task_and_the_result_serves_classify()
    {
        string outDir = Path.Combine(_tmp, "clf");
        var r = Cli.Run("finetune", "--model", Cli.Fixture("pipeline-mlm"), "--train", Tsv("train.tsv", 256, 1), "--dev", Tsv("dev.tsv", 64, 2),
            "--labels", "negative,positive", "--epochs", "3", "--batch-size", "16", "--lr", "0.001", "--device", "cpu", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("newly initialised: classifier.weight, classifier.bias", r.Stdout.Replace("albert.pooler.weight, albert.pooler.bias, ", ""));
        var accuracy = double.Parse(r.Stdout.Split('\n').Last(l => l.StartsWith("dev accuracy")).Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 0.9, $"dev accuracy {accuracy} on a word-separable task");
        foreach (var f in new[] { "config.json", "model.safetensors", "spiece.model" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        var c = Cli.RunWithInput("a wonderful and lovely film\na dull and boring film\n", "classify", "--model", outDir, "--json");
        Assert.True(c.ExitCode == 0, c.Stderr);
        var labels = c.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("label").GetString()!).ToArray();
        Assert.Equal(["positive", "negative"], labels);
    }

    [Fact]
    public void Bad_labels_in_the_data_exit_2()
    {
        Directory.CreateDirectory(_tmp);
        string bad = Path.Combine(_tmp, "bad.tsv");
        File.WriteAllLines(bad, ["sentence\tlabel", "fine film\t7"]);
        var r = Cli.Run("finetune", "--model", Cli.Fixture("pipeline-mlm"), "--train", bad, "--device", "cpu", "--out", Path.Combine(_tmp, "x"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a class index", r.Stderr);
    }
}
