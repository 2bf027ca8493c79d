using System.Text.Json;
using AlbertGen.SafeTensors;

namespace AlbertGen.Cli.Tests;

/// <summary>
/// <c>convert --from</c> on BERT models and <c>embed</c>/<c>run</c> on the result (fixtures: scripts/make_bert_fixtures.py;
/// expected outputs from an independent numpy BERT forward and numpy pooling).
/// </summary>
public sealed class BertConvertCommandTests : IDisposable
{
    readonly string _tmp = Path.Combine(Path.GetTempPath(), "albertgen-bertcli-" + Guid.NewGuid().ToString("N"));

    public BertConvertCommandTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        try { Directory.Delete(_tmp, recursive: true); } catch (IOException) { }
    }

    static double RelativeError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double d = 0, n = 0;
        for (int i = 0; i < a.Length; i++) { d += Math.Pow((double)a[i] - b[i], 2); n += (double)b[i] * b[i]; }
        return n == 0 ? Math.Sqrt(d) : Math.Sqrt(d / n);
    }

    string Convert(string from)
    {
        string outDir = Path.Combine(_tmp, Guid.NewGuid().ToString("N"));
        var r = Cli.Run("convert", "--from", from, "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("BERT (2 layers, hidden 32, 4 heads, vocab 40)", r.Stdout);
        return outDir;
    }

    [Theory]
    [InlineData("bert/tiny", null)]
    [InlineData("bert/onnx", "model.onnx")]
    [InlineData("bert/onnx", null)]
    public void Converted_bert_runs_as_the_bert_forward(string fixture, string? file)
    {
        string outDir = Convert(file is null ? Cli.Fixture(fixture) : Path.Combine(Cli.Fixture(fixture), file));
        string output = Path.Combine(_tmp, "out.safetensors");
        var r = Cli.Run("run", "--model", outDir, "--inputs", Path.Combine(Cli.Fixture("bert/tiny"), "inputs.json"), "--output", output);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var actual = SafeTensorsFile.Open(output);
        using var expected = SafeTensorsFile.Open(Path.Combine(Cli.Fixture("bert/tiny"), "expected.safetensors"));
        foreach (var name in (string[])["last_hidden_state", "pooler_output"])
        {
            double err = RelativeError(actual.ReadFloat32Array(name), expected.ReadFloat32Array(name));
            Assert.True(err <= 1e-5, $"{name}: relative error {err:E3}");
        }
    }

    [Fact]
    public void Embed_defaults_to_the_sentence_transformers_modules_and_options_override()
    {
        string outDir = Convert(Cli.Fixture("bert/st-folder"));
        var texts = JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(Cli.Fixture("bert/st-folder"), "texts.json")))!;
        using var expected = SafeTensorsFile.Open(Path.Combine(Cli.Fixture("bert/st-folder"), "expected_embeddings.safetensors"));
        foreach (var (args, mode) in new[] { (Array.Empty<string>(), "mean"), (["--pooling", "cls"], "cls"), (["--pooling", "max"], "max") })
        {
            var r = Cli.Run(["embed", "--model", outDir, .. args, .. texts]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            var want = expected.ReadFloat32Array(mode);
            var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(texts.Length, lines.Length);
            for (int i = 0; i < lines.Length; i++)
            {
                var v = JsonDocument.Parse(lines[i]).RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
                double err = RelativeError(v, want.AsSpan(i * 32, 32));
                Assert.True(err <= 1e-5, $"{mode}, text {i}: relative error {err:E3}");
            }
        }
        // --normalize false: the folder's Normalize module overridden
        var raw = Cli.Run("embed", "--model", outDir, "--normalize", "false", texts[0]);
        Assert.True(raw.ExitCode == 0, raw.Stderr);
        var u = JsonDocument.Parse(raw.Stdout).RootElement.GetProperty("embedding").EnumerateArray().Select(e => (double)e.GetSingle()).ToArray();
        Assert.True(Math.Abs(Math.Sqrt(u.Sum(x => x * x)) - 1) > 1e-3);
    }

    [Fact]
    public void Corrupt_onnx_exits_2_with_one_line()
    {
        string bad = Path.Combine(_tmp, "model.onnx");
        File.WriteAllBytes(bad, File.ReadAllBytes(Path.Combine(Cli.Fixture("bert/onnx"), "model.onnx")).AsSpan(0, 5000).ToArray());
        var r = Cli.Run("convert", "--from", bad, "--out", Path.Combine(_tmp, "out"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("truncated ONNX model", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(_tmp, "out")));
    }
}
