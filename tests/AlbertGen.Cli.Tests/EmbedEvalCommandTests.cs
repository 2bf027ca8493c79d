using System.Text.Json;
using AlbertGen.Tasks.FineTuning;

namespace AlbertGen.Cli.Tests;

/// <summary><c>embed-eval</c> (D44) on a small fixture: its figures agree with <c>embed</c>'s vectors and with hand-known values.</summary>
public sealed class EmbedEvalCommandTests : IDisposable
{
    readonly string _tmp = Path.Combine(Path.GetTempPath(), "albertgen-embed-eval-" + Guid.NewGuid().ToString("N"));

    public EmbedEvalCommandTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        try { Directory.Delete(_tmp, recursive: true); } catch (IOException) { }
    }

    static readonly (string A, string B, double Score)[] Pairs =
    [
        ("the sea was calm", "the sea was very calm", 4.8),
        ("the night was dark", "a dark and stormy night", 3.5),
        ("she walked to the old house", "he sold the house", 1.9),
        ("the children played in the garden", "the market opened at dawn", 0.4),
        ("a man rode his horse", "a man is riding a horse", 4.2),
        ("the letter arrived late", "rain fell over the hills", 0.0),
    ];

    string Write(string name, string text)
    {
        string path = Path.Combine(_tmp, name);
        File.WriteAllText(path, text);
        return path;
    }

    string StsFile() => Write("sts.tsv", "genre\tfilename\tyear\tindex\tscore\tsentence1\tsentence2\n" +
        string.Concat(Pairs.Select((p, i) => $"main\tx\t2012\t{i}\t{p.Score.ToString(System.Globalization.CultureInfo.InvariantCulture)}\t{p.A}\t{p.B}\n")));

    static JsonElement LastJson(string stdout) => JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement.Clone();

    [Fact]
    public void Sts_figure_is_the_spearman_of_embed_vectors_and_a_model_against_itself_has_cosine_one()
    {
        string model = Cli.Fixture("pipeline-mlm");
        string heldOut = Write("held.txt", "The first held out sentence is here. The second one follows it closely. A third sentence comes after that. Then the training text starts and runs on for a while.");
        string train = Write("train.tsv", "sentence\tlabel\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"{(i % 2 == 0 ? "a good and fine film" : "a dull and bad film")} number {i}\t{(i % 2 == 0 ? 1 : 0)}\n")));
        string dev = Write("dev.tsv", "sentence\tlabel\ngood fine film\t1\ndull bad film\t0\n");
        var r = Cli.Run("embed-eval", "--model", model, "--teacher", model, "--sts", StsFile(), "--sst2-train", train, "--sst2-dev", dev,
            "--sst2-train-limit", "6", "--held-out", heldOut, "--held-out-count", "3", "--speed-sentences", "2", "--speed-runs", "2", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        var j = LastJson(r.Stdout);

        // the same vectors as `embed` (the folder's own pooling): Spearman × 100 of their cosines
        var e = Cli.RunWithInput(string.Join('\n', Pairs.SelectMany(p => new[] { p.A, p.B })) + "\n", "embed", "--model", model);
        Assert.True(e.ExitCode == 0, e.Stderr);
        var vectors = e.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("embedding").EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        var cosines = Enumerable.Range(0, Pairs.Length).Select(i => Cosine(vectors[2 * i], vectors[2 * i + 1])).ToList();
        double expected = 100 * RegressionMetrics.Spearman(cosines, Pairs.Select(p => p.Score).ToList());
        Assert.Equal(expected, j.GetProperty("sts_spearman").GetDouble(), 4);
        Assert.Equal(Pairs.Length, j.GetProperty("sts_pairs").GetInt32());

        Assert.Equal(1.0, j.GetProperty("teacher_cosine").GetDouble(), 5);
        Assert.Equal(3, j.GetProperty("held_out_sentences").GetInt32());
        Assert.Equal(6, j.GetProperty("sst2_train").GetInt32());
        Assert.Equal(2, j.GetProperty("sst2_dev").GetInt32());
        Assert.Contains(j.GetProperty("sst2_dev_accuracy").GetDouble(), new[] { 0.0, 0.5, 1.0 });
        Assert.Equal(new FileInfo(Path.Combine(model, "model.safetensors")).Length, j.GetProperty("file_bytes").GetInt64());
        Assert.True(j.GetProperty("parameters").GetInt64() > 0);
        Assert.True(j.GetProperty("tokens_per_second").GetDouble() > 0);
        Assert.Equal(2, j.GetProperty("speed_sentences").GetInt32());
    }

    [Fact]
    public void A_teacher_without_held_out_sentences_is_a_usage_error()
    {
        var r = Cli.Run("embed-eval", "--model", Cli.Fixture("pipeline-mlm"), "--teacher", Cli.Fixture("pipeline-mlm"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--held-out", r.Stderr);
    }

    static double Cosine(double[] a, double[] b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.Sqrt(aa * bb);
    }
}
