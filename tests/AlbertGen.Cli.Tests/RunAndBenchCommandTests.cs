using System.Text.Json;
using AlbertGen.SafeTensors;

namespace AlbertGen.Cli.Tests;

public class RunAndBenchCommandTests
{
    static double RelativeError(float[] a, float[] b)
    {
        double d = 0, n = 0;
        for (int i = 0; i < a.Length; i++) { d += Math.Pow(a[i] - b[i], 2); n += (double)b[i] * b[i]; }
        return Math.Sqrt(d / n);
    }

    [Theory]
    [InlineData("tiny", null)]
    [InlineData("qa", null)]
    [InlineData("multiple-choice", null)]
    [InlineData("seqcls-single", "sequence-classification")]
    public void Run_writes_hf_named_outputs_matching_the_reference(string fixture, string? head)
    {
        string dir = Cli.Fixture(fixture);
        string output = Path.Combine(Path.GetTempPath(), $"albertgen-cli-{Guid.NewGuid():N}.safetensors");
        try
        {
            var args = new List<string> { "run", "--model", dir, "--inputs", Path.Combine(dir, "inputs.json"), "--output", output };
            if (head is not null) args.AddRange(["--head", head]);
            var r = Cli.Run(args.ToArray());
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var actual = SafeTensorsFile.Open(output);
            using var expected = SafeTensorsFile.Open(Path.Combine(dir, "expected.safetensors"));
            var names = expected.Tensors.Select(t => t.Name).Where(n => !n.StartsWith("grad.")).Order().ToList();
            Assert.Equal(names, actual.Tensors.Select(t => t.Name).Order().ToList());
            foreach (var n in names)
            {
                Assert.Equal(expected.GetEntry(n).Shape, actual.GetEntry(n).Shape);
                Assert.True(RelativeError(actual.ReadFloat32Array(n), expected.ReadFloat32Array(n)) <= 1e-5, n);
            }
            Assert.Equal("albertgen", actual.Metadata["computed_by"]);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Theory]
    [InlineData("tokcls")]
    [InlineData("seqcls-single")]
    public void Run_padding_free_writes_the_real_positions_of_the_reference_packed(string fixture)
    {
        string dir = Cli.Fixture(fixture);
        string work = Path.Combine(Path.GetTempPath(), $"albertgen-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            // the fixture's inputs without labels (a padding-free forward computes no loss)
            using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "inputs.json"))))
            {
                var kept = doc.RootElement.EnumerateObject().Where(p => p.Name != "labels").ToDictionary(p => p.Name, p => p.Value.Clone());
                File.WriteAllText(Path.Combine(work, "inputs.json"), JsonSerializer.Serialize(kept));
            }
            var mask = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "inputs.json"))).RootElement.GetProperty("attention_mask")
                .EnumerateArray().Select(row => row.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
            string output = Path.Combine(work, "out.safetensors");
            var r = Cli.Run("run", "--model", dir, "--inputs", Path.Combine(work, "inputs.json"), "--output", output, "--padding-free");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var actual = SafeTensorsFile.Open(output);
            using var expected = SafeTensorsFile.Open(Path.Combine(dir, "expected.safetensors"));
            var lengths = mask.Select(row => row.Sum()).ToArray();
            var starts = new[] { 0 }.Concat(lengths.Select((_, i) => lengths.Take(i + 1).Sum())).ToArray();
            Assert.Equal(string.Join(",", starts), actual.Metadata["sequence_starts"]);
            var hidden = expected.ReadFloat32Array("last_hidden_state");
            int seq = mask[0].Length, h = hidden.Length / (mask.Length * seq);
            var real = Enumerable.Range(0, mask.Length).SelectMany(row => hidden.Skip(row * seq * h).Take(lengths[row] * h)).ToArray();
            Assert.Equal([lengths.Sum(), h], actual.GetEntry("last_hidden_state").Shape);
            Assert.True(RelativeError(actual.ReadFloat32Array("last_hidden_state"), real) <= 1e-5);
            Assert.DoesNotContain(actual.Tensors, t => t.Name == "loss");

            // labels, or a mask with a hole, are refused with the reason
            var withLabels = Cli.Run("run", "--model", dir, "--inputs", Path.Combine(dir, "inputs.json"), "--output", output + "2", "--padding-free");
            Assert.Equal(2, withLabels.ExitCode);
            Assert.Contains("--padding-free computes no losses", withLabels.Stderr);
            File.WriteAllText(Path.Combine(work, "hole.json"), """{"input_ids": [[2, 5, 3]], "attention_mask": [[1, 0, 1]]}""");
            var hole = Cli.Run("run", "--model", dir, "--inputs", Path.Combine(work, "hole.json"), "--output", output + "3", "--padding-free");
            Assert.Equal(2, hole.ExitCode);
            Assert.Contains("attention_mask row 0 is not right padding", hole.Stderr);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void Run_with_out_of_vocabulary_ids_fails_with_a_clear_message()
    {
        string dir = Cli.Fixture("tiny");
        string inputs = Path.Combine(Path.GetTempPath(), $"albertgen-in-{Guid.NewGuid():N}.json");
        File.WriteAllText(inputs, """{"input_ids": [[2, 500, 3]]}""");
        try
        {
            var r = Cli.Run("run", "--model", dir, "--inputs", inputs, "--output", inputs + ".out");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("outside the vocabulary", r.Stderr);
            Assert.False(File.Exists(inputs + ".out"));
        }
        finally
        {
            File.Delete(inputs);
        }
    }

    [Theory]
    [InlineData("--model", "/no/such/model", "not found")]
    [InlineData("--inputs", "/no/such/inputs.json", "not found")]
    [InlineData("--head", "summarization", "unknown head")]
    public void Run_with_missing_files_or_bad_options_exits_2(string option, string value, string messagePart)
    {
        string dir = Cli.Fixture("tiny");
        var args = new Dictionary<string, string> { ["--model"] = dir, ["--inputs"] = Path.Combine(dir, "inputs.json"), ["--output"] = Path.Combine(Path.GetTempPath(), "never.safetensors") };
        args[option] = value;
        var r = Cli.Run(["run", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(messagePart, r.Stderr);
    }

    [Fact]
    public void Bench_json_last_line_has_the_timings()
    {
        var r = Cli.Run("bench", "--model", Cli.Fixture("grouped"), "--batch", "2", "--seq", "16", "--warmup", "1", "--runs", "3", "--cold", "4", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var last = r.Stdout.TrimEnd().Split('\n')[^1];
        using var doc = JsonDocument.Parse(last);
        var root = doc.RootElement;
        foreach (var key in new[] { "median_ms", "min_ms", "load_ms", "first_result_ms", "tokens_per_s", "peak_rss_bytes",
                     "cold_first_ms", "cold_mean_ms", "cold_median_ms", "cold_over_warm" })
            Assert.True(root.GetProperty(key).GetDouble() > 0, key);
        Assert.True(root.GetProperty("min_ms").GetDouble() <= root.GetProperty("median_ms").GetDouble());
        Assert.Equal(2, root.GetProperty("batch").GetInt32());
        // cold (D38): the first 4 forwards of the process, the first one included, apart from the warm runs
        Assert.Equal(4, root.GetProperty("cold_runs").GetInt32());
        Assert.Equal(1, root.GetProperty("warmup").GetInt32());
        Assert.Equal(3, root.GetProperty("runs").GetInt32());
        double coldFirst = root.GetProperty("cold_first_ms").GetDouble(), coldMean = root.GetProperty("cold_mean_ms").GetDouble();
        // the mean of 4 forwards holds the first one: at least a quarter of it
        Assert.True(coldMean * 4 >= coldFirst, $"cold mean {coldMean} ms < first forward {coldFirst} ms / 4");
        // the first result (load + first forward) comes after the first forward alone
        Assert.True(root.GetProperty("first_result_ms").GetDouble() >= coldFirst);
        // cold_over_warm = cold mean / warm median, both printed rounded to 0.001 ms (forwards of this fixture are µs)
        double median = root.GetProperty("median_ms").GetDouble(), ratio = coldMean / median;
        Assert.Equal(ratio, root.GetProperty("cold_over_warm").GetDouble(), ratio * (0.0006 / median + 0.0006 / coldMean) + 0.0006);
        Assert.Contains("cold mean", r.Stdout);
        // a JIT process: the JIT compiled something by then
        Assert.True(root.GetProperty("jit_methods").GetInt64() > 0);
        Assert.True(root.GetProperty("jit_ms").GetDouble() >= 0);
        // the kernel family this process runs (D29)
        Assert.Matches(@"^(Vector(128|256|512) (GEMM )?\(|scalar$)", root.GetProperty("kernels").GetString());
    }

    [Fact]
    public void Cli_compiles_its_code_optimised_at_first_call()
    {
        // D38: QuickJit off (no tier-0 code for the kernels' callers during the first forwards), PGO off
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "albertgen.runtimeconfig.json")));
        var props = doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.False(props.GetProperty("System.Runtime.TieredCompilation.QuickJit").GetBoolean());
        Assert.False(props.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }

    [Theory]
    [InlineData("--cold", "0")]
    [InlineData("--runs", "0")]
    [InlineData("--warmup", "-1")]
    public void Bench_rejects_counts_out_of_range(string option, string value)
    {
        var r = Cli.Run("bench", "--model", Cli.Fixture("grouped"), "--seq", "8", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(option, r.Stderr);
    }

    [Fact]
    public void Bench_rejects_a_sequence_longer_than_the_model_takes()
    {
        var r = Cli.Run("bench", "--model", Cli.Fixture("grouped"), "--seq", "4096");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("max_position_embeddings", r.Stderr);
    }
}
