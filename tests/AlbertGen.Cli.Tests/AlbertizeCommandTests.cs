using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Tests;

namespace AlbertGen.Cli.Tests;

/// <summary><c>albertize</c> end to end: a tiny random BERT-shaped teacher → a student folder the inference verbs load.</summary>
public sealed class AlbertizeCommandTests : IDisposable
{
    readonly string _tmp = Path.Combine(Path.GetTempPath(), "albertgen-albertize-" + Guid.NewGuid().ToString("N"));

    public AlbertizeCommandTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        try { Directory.Delete(_tmp, recursive: true); } catch (IOException) { }
    }

    string[] Args(string teacher, string outDir, params string[] more) =>
        ["albertize", "--teacher", teacher, "--out", outDir, "--corpus", TinyTeacher.Corpus(Path.Combine(_tmp, "corpus.txt")),
         "--batch-size", "8", "--max-seq-length", "32", "--dev-sentences", "8", "--device", "cpu", .. more];

    [TorchFact]
    public void Albertize_writes_a_student_the_inference_verbs_load()
    {
        string teacher = TinyTeacher.Make(Path.Combine(_tmp, "teacher"));
        string outDir = Path.Combine(_tmp, "student");
        var r = Cli.Run(Args(teacher, outDir, "--embedding-size", "8", "--groups", "2", "--max-steps", "2"));
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        Assert.Contains("step 2/2", r.Stdout);
        Assert.Contains("done: 2 steps", r.Stdout);
        Assert.Contains("held-out cosine to the teacher", r.Stdout);
        var config = AlbertConfig.Load(outDir);
        Assert.Equal((8, 2), (config.EmbeddingSize, config.NumHiddenGroups));
        Assert.True(File.Exists(Path.Combine(outDir, "1_Pooling", "config.json")));
        using (var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "albertize_results.json"))))
            Assert.Equal(2, results.RootElement.GetProperty("steps").GetInt32());

        var embed = Cli.Run("embed", "--model", outDir, "the sea was calm");
        Assert.True(embed.ExitCode == 0, embed.Stderr);
        using var line = JsonDocument.Parse(embed.Stdout.Trim());
        Assert.Equal(TinyTeacher.Hidden, line.RootElement.GetProperty("embedding").GetArrayLength());
        var inspect = Cli.Run("inspect", "--model", outDir);
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
    }

    [TorchFact]
    public void Bad_arguments_exit_2_with_one_line_naming_the_problem()
    {
        string teacher = TinyTeacher.Make(Path.Combine(_tmp, "teacher"));
        string outDir = Path.Combine(_tmp, "student");
        string badPairs = Path.Combine(_tmp, "pairs.tsv");
        File.WriteAllText(badPairs, "main-news\theadlines\t2015\t0001\t3.0\tone sentence only\n");
        (string[] Args, string Expected)[] cases =
        [
            (Args(teacher, outDir, "--embedding-size", "8", "--pairs", badPairs), "pairs.tsv:1: 6 TAB-separated columns"),
            (Args(teacher, outDir, "--embedding-size", "8", "--pairs-dev", badPairs), "--pairs-dev needs --pairs"),
            (Args(teacher, outDir, "--embedding-size", "8", "--pairs", Path.Combine(_tmp, "absent.tsv")), "sentence-pair file not found"),
            (Args(teacher, outDir, "--embedding-size", "64"), "--embedding-size must be in [2, hidden_size = 32]"),
            (Args(teacher, outDir, "--embedding-size", "8", "--groups", "3"), "--groups 3 does not divide num_hidden_layers = 4"),
            (Args(teacher, outDir, "--embedding-size", "8", "--groups", "8"), "--groups must be in [1, num_hidden_layers = 4]"),
            (Args(Path.Combine(_tmp, "missing"), outDir), "folder not found"),
            (Args(Fixture("pipeline-mlm"), outDir), "embedding_size 16 ≠ hidden_size 32"),
            (["albertize", "--teacher", teacher, "--out", outDir], "needs --corpus"),
        ];
        foreach (var (args, expected) in cases)
        {
            var r = Cli.Run(args);
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode}, {r.Stderr}");
            Assert.Contains(expected, r.Stderr);
            Assert.Single(r.Stderr.Trim().Split('\n'));
        }
        Assert.False(Directory.Exists(outDir));
    }

    static string Fixture(string name) => Cli.Fixture(name);
}
