using AlbertGen.Checkpoints;
using AlbertGen.SafeTensors;

namespace AlbertGen.Cli.Tests;

/// <summary>Model folders with <c>pytorch_model.bin</c> through the verbs, and <c>convert</c> (fixtures: scripts/make_bin_fixtures.py).</summary>
public sealed class BinAndConvertCommandTests : IDisposable
{
    const string Marker = "/tmp/albertgen-pwned";
    readonly string _tmp = Path.Combine(Path.GetTempPath(), "albertgen-bin-" + Guid.NewGuid().ToString("N"));

    public BinAndConvertCommandTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        try { Directory.Delete(_tmp, recursive: true); } catch (IOException) { }
    }

    static double RelativeError(float[] a, float[] b)
    {
        double d = 0, n = 0;
        for (int i = 0; i < a.Length; i++) { d += Math.Pow((double)a[i] - b[i], 2); n += (double)b[i] * b[i]; }
        return n == 0 ? Math.Sqrt(d) : Math.Sqrt(d / n);
    }

    /// <summary><c>run</c> on a folder; returns the outputs by name.</summary>
    Dictionary<string, float[]> RunModel(string dir, string inputs)
    {
        string output = Path.Combine(_tmp, Guid.NewGuid().ToString("N") + ".safetensors");
        var r = Cli.Run("run", "--model", dir, "--inputs", inputs, "--output", output);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var f = SafeTensorsFile.Open(output);
        return f.Tensors.ToDictionary(t => t.Name, t => f.ReadFloat32Array(t.Name));
    }

    static void AssertMatchesExpected(Dictionary<string, float[]> actual, string expectedPath)
    {
        using var expected = SafeTensorsFile.Open(expectedPath);
        foreach (var e in expected.Tensors.Where(t => !t.Name.StartsWith("grad.", StringComparison.Ordinal)))
        {
            double err = RelativeError(actual[e.Name], expected.ReadFloat32Array(e.Name));
            Assert.True(err <= 1e-5, $"{e.Name}: relative error {err:E3}");
        }
    }

    [Theory]
    [InlineData("bin-zip", "tiny")]
    [InlineData("bin-legacy", "tiny")]
    [InlineData("bin-f16", "f16-weights")]
    [InlineData("bin-tied", "tiny")]
    public void Run_on_a_bin_folder_gives_its_safetensors_twin_s_outputs(string fixture, string twin)
    {
        string dir = Cli.Fixture(fixture), inputs = Path.Combine(dir, "inputs.json");
        var fromBin = RunModel(dir, inputs);
        AssertMatchesExpected(fromBin, Path.Combine(dir, "expected.safetensors"));
        var fromTwin = RunModel(Cli.Fixture(twin), inputs);
        Assert.Equal(fromTwin.Keys.Order(), fromBin.Keys.Order());
        foreach (var (name, data) in fromTwin)
            Assert.Equal(data, fromBin[name]);
    }

    [Fact]
    public void Task_verbs_on_a_bin_folder_print_what_they_print_for_the_twin()
    {
        // bin-pipeline-mlm holds pipeline-mlm's weights as pytorch_model.bin; the tokenizer comes from the twin
        string dir = Path.Combine(_tmp, "mlm");
        Directory.CreateDirectory(dir);
        foreach (var f in new[] { "config.json", "pytorch_model.bin" })
            File.Copy(Path.Combine(Cli.Fixture("bin-pipeline-mlm"), f), Path.Combine(dir, f));
        File.Copy(Path.Combine(Cli.Fixture("pipeline-mlm"), "spiece.model"), Path.Combine(dir, "spiece.model"));
        const string text = "the [MASK] was bright.\nthe sea was [MASK].\n";
        foreach (var verb in new[] { new[] { "fill-mask", "--top-k", "5", "--json" }, ["embed"] })
        {
            var twin = Cli.RunWithInput(text, [.. verb, "--model", Cli.Fixture("pipeline-mlm")]);
            var bin = Cli.RunWithInput(text, [.. verb, "--model", dir]);
            Assert.True(twin.ExitCode == 0 && bin.ExitCode == 0, twin.Stderr + bin.Stderr);
            Assert.Equal(2, twin.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Equal(twin.Stdout, bin.Stdout);
        }
        var inspect = Cli.Run("inspect", "--model", dir);
        Assert.Contains("pytorch_model.bin", inspect.Stdout);
    }

    [Fact]
    public void Hostile_pickle_exits_2_naming_the_global_and_runs_nothing()
    {
        if (File.Exists(Marker)) File.Delete(Marker);
        string dir = Cli.Fixture("bin-hostile");
        var r = Cli.Run("run", "--model", dir, "--inputs", Path.Combine(dir, "inputs.json"), "--output", Path.Combine(_tmp, "o.safetensors"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("pickle global 'posix.system' is not allowed", r.Stderr);
        var c = Cli.Run("convert", "--model", dir, "--out", Path.Combine(_tmp, "out"));
        Assert.Equal(2, c.ExitCode);
        Assert.Contains("posix.system", c.Stderr);
        Assert.False(File.Exists(Path.Combine(_tmp, "out", "model.safetensors")));
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public void Folder_without_weights_says_what_it_found_and_what_would_work()
    {
        string dir = Path.Combine(_tmp, "empty");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(Cli.Fixture("tiny"), "config.json"), Path.Combine(dir, "config.json"));
        var r = Cli.Run("run", "--model", dir, "--inputs", Path.Combine(Cli.Fixture("tiny"), "inputs.json"), "--output", Path.Combine(_tmp, "o.safetensors"));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: no weights: expected model.safetensors or pytorch_model.bin in {dir} (found: config.json)", r.Stderr.Trim());
    }

    [Fact]
    public void Truncated_bin_exits_2_with_a_clear_line()
    {
        string dir = Path.Combine(_tmp, "cut");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(Cli.Fixture("bin-legacy"), "config.json"), Path.Combine(dir, "config.json"));
        var bytes = File.ReadAllBytes(Path.Combine(Cli.Fixture("bin-legacy"), "pytorch_model.bin"));
        File.WriteAllBytes(Path.Combine(dir, "pytorch_model.bin"), bytes[..(bytes.Length / 2)]);
        var r = Cli.Run("run", "--model", dir, "--inputs", Path.Combine(Cli.Fixture("tiny"), "inputs.json"), "--output", Path.Combine(_tmp, "o.safetensors"));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"error: {Path.Combine(dir, "pytorch_model.bin")}: truncated", r.Stderr);
    }

    [Theory]
    [InlineData("bin-tied", "predictions.decoder.weight (tied), predictions.decoder.bias (tied)")]
    [InlineData("bin-zip", "albert.embeddings.position_ids (I64)")]
    [InlineData("bin-f16", null)]
    public void Convert_round_trips(string fixture, string? leftOut)
    {
        string src = Cli.Fixture(fixture), dst = Path.Combine(_tmp, "converted");
        var r = Cli.Run("convert", "--model", src, "--out", dst);
        Assert.True(r.ExitCode == 0, r.Stderr);
        if (leftOut is not null) Assert.EndsWith("left out: " + leftOut, r.Stdout.Trim());
        Assert.True(File.Exists(Path.Combine(dst, "config.json")));
        Assert.False(File.Exists(Path.Combine(dst, "pytorch_model.bin")));
        Assert.Empty(Directory.GetFiles(dst, ".*")); // no temporary file left
        // every float tensor of the .bin, as float32, under its own name
        using (var bin = CheckpointFiles.Open(Path.Combine(src, "pytorch_model.bin")))
        using (var st = SafeTensorsFile.Open(Path.Combine(dst, "model.safetensors")))
        {
            Assert.Equal("pt", st.Metadata["format"]);
            foreach (var e in st.Tensors)
            {
                Assert.Equal(SafeTensorsDType.F32, e.DType);
                Assert.Equal(bin.ReadFloat32Array(e.Name), st.ReadFloat32Array(e.Name));
            }
        }
        string inputs = Path.Combine(src, "inputs.json");
        var original = RunModel(src, inputs);
        var converted = RunModel(dst, inputs);
        foreach (var (name, data) in original)
            Assert.Equal(data, converted[name]);
    }

    [Fact]
    public void Convert_copies_the_tokenizer_files()
    {
        string dst = Path.Combine(_tmp, "converted");
        var r = Cli.Run("convert", "--model", Cli.Fixture("pipeline-mlm"), "--out", dst);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Cli.Fixture("pipeline-mlm"), "spiece.model")), File.ReadAllBytes(Path.Combine(dst, "spiece.model")));
        var fill = Cli.RunWithInput("the [MASK] was bright.\n", "fill-mask", "--model", dst, "--json");
        var twin = Cli.RunWithInput("the [MASK] was bright.\n", "fill-mask", "--model", Cli.Fixture("pipeline-mlm"), "--json");
        Assert.True(fill.ExitCode == 0, fill.Stderr);
        Assert.Equal(twin.Stdout, fill.Stdout);
    }
}
