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

    static string Data(string name) => Path.Combine(Cli.Fixture("finetune-data"), name);

    /// <summary>Runs finetune on the hand-made data; asserts success and a complete HF folder; returns stdout and eval_results.json.</summary>
    (string Stdout, JsonElement Eval, JsonElement Config, string Dir) Finetune(string task, string train, params string[] extra)
    {
        string outDir = Path.Combine(_tmp, task + "-" + Guid.NewGuid().ToString("N")[..6]);
        string[] args = ["finetune", "--task", task, "--model", Cli.Fixture("pipeline-mlm"), "--train", train, "--dev", train,
            "--batch-size", "8", "--lr", "0.002", "--device", "cpu", "--out", outDir, .. extra];
        var r = Cli.Run(args);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        foreach (var f in new[] { "config.json", "model.safetensors", "spiece.model", "eval_results.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        var eval = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "eval_results.json"))).RootElement.Clone();
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json"))).RootElement.Clone();
        return (r.Stdout, eval, config, outDir);
    }

    [TorchFact]
    public void Finetune_regression_writes_pearson_and_a_regression_config()
    {
        var (stdout, eval, config, _) = Finetune("sequence-classification", Data("stsb.tsv"), "--problem-type", "regression", "--epochs", "12", "--max-seq-length", "32");
        Assert.Contains("dev pearson", stdout);
        Assert.True(eval.GetProperty("pearson").GetDouble() > 0.5, eval.ToString());
        Assert.Equal(40, eval.GetProperty("eval_samples").GetInt32());
        Assert.Equal("regression", config.GetProperty("problem_type").GetString());
        Assert.Equal("AlbertForSequenceClassification", config.GetProperty("architectures")[0].GetString());
    }

    [TorchFact]
    public void Finetune_multi_label_collects_the_label_names_and_serves_classify()
    {
        var (_, eval, config, dir) = Finetune("sequence-classification", Data("multilabel.tsv"), "--problem-type", "multi_label_classification", "--epochs", "20", "--max-seq-length", "32");
        Assert.True(eval.GetProperty("micro_f1").GetDouble() > 0.8, eval.ToString());
        Assert.True(eval.TryGetProperty("subset_accuracy", out _));
        Assert.Equal("multi_label_classification", config.GetProperty("problem_type").GetString());
        Assert.Equal(["animal", "food", "sport"], config.GetProperty("id2label").EnumerateObject().Select(p => p.Value.GetString()!));
        var c = Cli.RunWithInput("we talked about golf today\nwe talked about bread today\n", "classify", "--model", dir, "--json");
        Assert.True(c.ExitCode == 0, c.Stderr);
        var top = c.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("label").GetString()!).ToArray();
        Assert.Equal(["sport", "food"], top);
    }

    [TorchFact]
    public void Finetune_token_classification_on_conll()
    {
        var (stdout, eval, config, _) = Finetune("token-classification", Data("ner.conll"), "--epochs", "15", "--max-seq-length", "32");
        Assert.Contains("labels: B-LOC,B-PER,I-LOC,O", stdout);
        Assert.True(eval.GetProperty("accuracy").GetDouble() > 0.8, eval.ToString());
        Assert.True(eval.TryGetProperty("f1", out _) && eval.TryGetProperty("precision", out _) && eval.TryGetProperty("recall", out _));
        Assert.Equal("AlbertForTokenClassification", config.GetProperty("architectures")[0].GetString());
        Assert.Equal(4, config.GetProperty("id2label").EnumerateObject().Count());
    }

    [TorchFact]
    public void Finetune_question_answering_on_squad_v2()
    {
        var (stdout, eval, config, _) = Finetune("question-answering", Data("squad-v2.json"), "--epochs", "15", "--doc-stride", "16");
        Assert.Contains("max_seq_length 384 is more than the model's max_position_embeddings: using 64", stdout);
        Assert.True(eval.GetProperty("exact_match").GetDouble() > 50, eval.ToString());
        Assert.True(eval.TryGetProperty("f1", out _));
        Assert.Equal("AlbertForQuestionAnswering", config.GetProperty("architectures")[0].GetString());
    }

    [TorchFact]
    public void Finetune_multiple_choice_on_json_lines()
    {
        var (_, eval, config, _) = Finetune("multiple-choice", Data("choices.jsonl"), "--epochs", "15", "--max-seq-length", "32");
        Assert.True(eval.GetProperty("accuracy").GetDouble() > 0.6, eval.ToString());
        Assert.Equal("AlbertForMultipleChoice", config.GetProperty("architectures")[0].GetString());
    }

    [Theory]
    [InlineData("token-classification", "bad.conll", "John B-PER\nParis\n", "bad.conll:2")]
    [InlineData("multiple-choice", "bad.jsonl", "{\"context\": \"c\", \"choices\": [\"a\", \"b\"], \"label\": 5}\n", "bad.jsonl:1")]
    [InlineData("question-answering", "bad.json", "{\"data\": [{\"paragraphs\": [{\"qas\": []}]}]}", "data[0].paragraphs[0].context")]
    public void Bad_task_data_exits_2_naming_the_place(string task, string name, string content, string expected)
    {
        Directory.CreateDirectory(_tmp);
        string bad = Path.Combine(_tmp, name);
        File.WriteAllText(bad, System.Text.RegularExpressions.Regex.Unescape(content));
        var r = Cli.Run("finetune", "--task", task, "--model", Cli.Fixture("pipeline-mlm"), "--train", bad, "--device", "cpu", "--out", Path.Combine(_tmp, "x"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_tmp, "x")));
    }

    [TorchFact]
    public void A_doc_stride_too_large_for_the_sequence_exits_2()
    {
        Directory.CreateDirectory(_tmp);
        string squad = Path.Combine(_tmp, "long.json");
        string context = string.Concat(Enumerable.Repeat("It lives in a small house. ", 20)) + "The dog is named Rex.";
        File.WriteAllText(squad, JsonSerializer.Serialize(new { data = new[] { new { paragraphs = new[] { new { context, qas = new[] {
            new { id = "a", question = "What is the dog named?", answers = new[] { new { text = "Rex", answer_start = context.IndexOf("Rex", StringComparison.Ordinal) } } } } } } } } }));
        var r = Cli.Run("finetune", "--task", "question-answering", "--model", Cli.Fixture("pipeline-mlm"), "--train", squad, "--device", "cpu", "--out", Path.Combine(_tmp, "x"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("doc stride 128", r.Stderr);
    }

    [Fact]
    public void An_unknown_task_exits_2()
    {
        var r = Cli.Run("finetune", "--task", "summarization", "--model", Cli.Fixture("pipeline-mlm"), "--train", Data("stsb.tsv"), "--out", Path.Combine(_tmp, "x"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("summarization", r.Stderr);
    }
}
