using System.Buffers.Binary;
using System.Text;

namespace AlbertGen.Cli.Tests;

/// <summary>
/// The CLI's error contract (README, CliErrors), end to end, for every verb: bad input → exit 2 and exactly one line
/// on stderr, "error: …", no stack trace, no raw control character; an I/O error → exit 3, one line. The cases are
/// the reproductions of issue 20.
/// </summary>
public sealed class ErrorContractTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("albertgen-errors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Installed(string name) => Path.Combine(AppContext.BaseDirectory, "models", name);

    static void AssertOneLineError(Cli.Result r, int exitCode, string expected)
    {
        Assert.True(r.ExitCode == exitCode, $"exit {r.ExitCode}, expected {exitCode}; stderr: {r.Stderr}");
        string[] lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "stderr has " + lines.Length + " lines: " + r.Stderr);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", lines[0], StringComparison.Ordinal);
        Assert.False(lines[0].TrimEnd('\r').Any(char.IsControl), "raw control character in: " + lines[0]);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    static void AssertBadInput(Cli.Result r, string expected) => AssertOneLineError(r, 2, expected);

    /// <summary>A copy of a model folder (fixture or installed default) in the temp folder, to break.</summary>
    string CopyModel(string from, string name)
    {
        string to = Path.Combine(_dir, name);
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        return to;
    }

    /// <summary>The tiny model with its safetensors header edited (the length field written to fit, or <paramref name="lengthDelta"/> off).</summary>
    string TinyWithHeader(string name, Func<byte[], byte[]> edit, int lengthDelta = 0)
    {
        string dir = CopyModel(Cli.Fixture("tiny"), name);
        string path = Path.Combine(dir, "model.safetensors");
        byte[] file = File.ReadAllBytes(path);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        byte[] header = edit(file.AsSpan(8, n).ToArray());
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)(header.Length + lengthDelta));
        File.WriteAllBytes(path, [.. len, .. header, .. file.AsSpan(8 + n)]);
        return dir;
    }

    static byte[] Replace(byte[] bytes, string from, byte[] to)
    {
        int at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(from));
        Assert.True(at >= 0, from);
        return [.. bytes.AsSpan(0, at), .. to, .. bytes.AsSpan(at + from.Length)];
    }

    string TinyWithConfig(string name, string from, string to)
    {
        string dir = CopyModel(Cli.Fixture("tiny"), name);
        string path = Path.Combine(dir, "config.json");
        string text = File.ReadAllText(path);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
        return dir;
    }

    string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    Cli.Result RunTiny(string model, string? inputs = null, string? output = null) =>
        Cli.Run("run", "--model", model, "--inputs", inputs ?? Cli.Fixture("tiny/inputs.json"), "--output", output ?? Path.Combine(_dir, "out.safetensors"));

    // ---- run: the safetensors, config and inputs.json reproductions ---------------------------------------------------

    [Fact]
    public void Run_invalid_utf8_tensor_name_exits_2() =>
        AssertBadInput(RunTiny(TinyWithHeader("utf8", h => Replace(h, "LayerNorm", [.. "Layer"u8, 0xFF, .. "Norm"u8]))), "not valid UTF-8");

    [Fact]
    public void Run_lone_surrogate_in_header_metadata_exits_2() =>
        AssertBadInput(RunTiny(TinyWithHeader("meta", h => Replace(h, "{", "{\"__metadata__\":{\"format\":\"\\ud800\"},"u8.ToArray()))), "'__metadata__.format'");

    [Theory]
    [InlineData("\"0\"")]
    [InlineData("null")]
    [InlineData("true")]
    public void Run_non_number_data_offsets_exit_2(string value) =>
        AssertBadInput(RunTiny(TinyWithHeader("offsets", h => Replace(h, "\"data_offsets\":[0,", Encoding.ASCII.GetBytes("\"data_offsets\":[" + value + ",")))), "'data_offsets' must be two integers");

    [Fact]
    public void Run_header_length_field_a_few_bytes_short_exits_2_not_garbage()
    {
        // the tiny header ends in space padding: 1–4 bytes short still parses as JSON
        for (int k = 1; k <= 4; k++)
            AssertBadInput(RunTiny(TinyWithHeader("short" + k, h => h, lengthDelta: -k)), "must cover it exactly");
    }

    [Fact]
    public void Run_lone_surrogate_in_hidden_act_exits_2() =>
        AssertBadInput(RunTiny(TinyWithConfig("act", "\"gelu_new\"", "\"gelu\\ud800\"")), "'hidden_act'");

    [Theory]
    [InlineData("\"num_hidden_layers\": 4", "\"num_hidden_layers\": 1000000000", "num_hidden_layers")]
    [InlineData("\"inner_group_num\": 1", "\"inner_group_num\": 1000000000", "inner_group_num")]
    [InlineData("\"num_hidden_groups\": 1", "\"num_hidden_groups\": 10000000", "num_hidden_groups")]
    public void Run_config_sizes_past_the_budget_exit_2(string from, string to, string key) =>
        AssertBadInput(RunTiny(TinyWithConfig("sizes", from, to)), key);

    [Fact]
    public void Run_lone_surrogate_key_in_inputs_exits_2() =>
        AssertBadInput(RunTiny(Cli.Fixture("tiny"), Write("inputs.json", "{\"\\ud800\": 1, \"input_ids\": [[2, 5, 3]]}")), "not valid UTF-8");

    [Fact]
    public void Run_batch_past_the_token_budget_exits_2()
    {
        // 300 × 128 ids on the default (pretraining) model: more prediction logits than the 2^28-element budget
        var sb = new StringBuilder("{\"input_ids\": [");
        string row = "[" + string.Join(",", Enumerable.Repeat("5", 128)) + "]";
        sb.AppendJoin(",", Enumerable.Repeat(row, 300)).Append("]}");
        AssertBadInput(RunTiny(Installed("albert-default"), Write("big.json", sb.ToString())), "tokens per forward");
    }

    [Fact]
    public void Run_output_onto_the_models_own_weights_is_refused()
    {
        string model = CopyModel(Cli.Fixture("tiny"), "own");
        byte[] before = File.ReadAllBytes(Path.Combine(model, "model.safetensors"));
        AssertBadInput(RunTiny(model, output: Path.Combine(model, "model.safetensors")), "is one of the inputs");
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(model, "model.safetensors")));
    }

    [Theory]
    [InlineData(236)]
    [InlineData(255)]
    public void Run_and_embed_write_names_up_to_255_bytes(int bytes)
    {
        string name = new string('a', bytes - ".safetensors".Length) + ".safetensors";
        var r = RunTiny(Cli.Fixture("tiny"), output: Path.Combine(_dir, name));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.True(File.Exists(Path.Combine(_dir, name)));
        string npy = new string('b', bytes - ".npy".Length) + ".npy";
        var e = Cli.Run("embed", "--npy", Path.Combine(_dir, npy), "the sea was calm");
        Assert.True(e.ExitCode == 0, e.Stderr);
        Assert.True(File.Exists(Path.Combine(_dir, npy)));
        Assert.Equal(2, Directory.GetFiles(_dir).Length); // no temporary file left
    }

    [Fact]
    public void Run_io_error_on_the_output_exits_3()
    {
        string file = Write("a-file", "x");
        AssertOneLineError(RunTiny(Cli.Fixture("tiny"), output: Path.Combine(file, "out.safetensors")), 3, "");
    }

    [Fact]
    public void Run_weight_problems_are_one_line()
    {
        // the tiny weights under a config with another intermediate size: every ffn tensor is wrong
        AssertBadInput(RunTiny(TinyWithConfig("ffn", "\"intermediate_size\": 37", "\"intermediate_size\": 38")), "problem(s) with the weights");
    }

    // ---- the task verbs: tokenizer-folder problems ------------------------------------------------------------------

    [Fact]
    public void Fill_mask_on_a_folder_without_tokenizer_exits_2() =>
        AssertBadInput(Cli.Run("fill-mask", "--model", Cli.Fixture("tiny"), "a [MASK] b"), "no tokenizer: expected spiece.model, tokenizer.json or vocab.txt");

    [Fact]
    public void Fill_mask_escapes_control_characters_it_echoes() =>
        AssertBadInput(Cli.Run("fill-mask", "--model", Cli.Fixture("pipeline-mlm"), "no mask \u001b[31mred\u0007 here"), "\\u001B[31mred\\u0007");

    [Theory]
    [InlineData("truncated")]
    [InlineData("empty")]
    [InlineData("not-proto")]
    public void Classify_with_a_broken_spiece_model_exits_2(string how)
    {
        string model = CopyModel(Cli.Fixture("pipeline-sst2"), "spm-" + how);
        string spm = Path.Combine(model, "spiece.model");
        byte[] bytes = File.ReadAllBytes(spm);
        File.WriteAllBytes(spm, how switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "empty" => [],
            _ => "{\"not\": \"a proto\"}"u8.ToArray(),
        });
        AssertBadInput(Cli.Run("classify", "--model", model, "a fine film"), "sentencepiece");
    }

    [Fact]
    public void Embed_with_a_malformed_special_tokens_map_exits_2()
    {
        string model = CopyModel(Cli.Fixture("pipeline-mlm"), "map");
        File.WriteAllText(Path.Combine(model, "special_tokens_map.json"), "{\"mask_token\": ");
        AssertBadInput(Cli.Run("embed", "--model", model, "hello"), "special_tokens_map.json");
    }

    [Fact]
    public void Embed_npy_onto_the_models_weights_is_refused()
    {
        string model = CopyModel(Cli.Fixture("pipeline-mlm"), "npy-own");
        AssertBadInput(Cli.Run("embed", "--model", model, "--npy", Path.Combine(model, "model.safetensors"), "hello"), "is one of the inputs");
    }

    [Fact]
    public void Tokenizer_config_with_invalid_utf8_exits_2_for_every_tokenizer_verb()
    {
        string model = CopyModel(Cli.Fixture("pipeline-mlm"), "tokcfg");
        File.WriteAllBytes(Path.Combine(model, "tokenizer_config.json"), [.. "{\"mask_token\": \""u8, 0xFF, .. "\"}"u8]);
        AssertBadInput(Cli.Run("fill-mask", "--model", model, "a [MASK] b"), "'mask_token'");
        AssertBadInput(Cli.Run("embed", "--model", model, "a b"), "'mask_token'");
        AssertBadInput(Cli.RunWithInput("a b\n", "tokenize", "--model", model), "'mask_token'");
    }

    [Fact]
    public void Answer_token_classify_and_multiple_choice_without_tokenizer_exit_2()
    {
        string model = Cli.Fixture("tiny");
        AssertBadInput(Cli.Run("answer", "--model", model, "--question", "q", "--context", "c"), "");
        AssertBadInput(Cli.Run("token-classify", "--model", model, "a b"), "");
        AssertBadInput(Cli.Run("multiple-choice", "--model", model, "--prompt", "p", "--choice", "a", "--choice", "b"), "");
    }

    // ---- the other verbs ---------------------------------------------------------------------------------------------

    [Fact]
    public void Bench_batch_past_the_token_budget_exits_2_not_overflow() =>
        AssertBadInput(Cli.Run("bench", "--model", Installed("albert-default"), "--batch", "17000", "--seq", "128", "--runs", "1", "--warmup", "0"), "tokens per forward");

    [Fact]
    public void Tokenize_with_an_empty_spm_exits_2() =>
        AssertBadInput(Cli.RunWithInput("a\n", "tokenize", "--spm", Write("empty.model", "")), "sentencepiece");

    [Fact]
    public void Inspect_with_a_broken_config_exits_2() =>
        AssertBadInput(Cli.Run("inspect", "--model", TinyWithConfig("inspect", "\"gelu_new\"", "\"gelu\\ud800\"")), "'hidden_act'");

    [Fact]
    public void Compare_with_a_broken_header_exits_2()
    {
        string model = TinyWithHeader("compare", h => Replace(h, "\"data_offsets\":[0,", "\"data_offsets\":[null,"u8.ToArray()));
        AssertBadInput(Cli.Run("compare", Path.Combine(model, "model.safetensors"), Cli.Fixture("tiny/model.safetensors")), "data_offsets");
    }

    [Fact]
    public void Eval_with_a_broken_model_folder_exits_2()
    {
        string model = TinyWithConfig("eval", "\"gelu_new\"", "\"gelu\\ud800\"");
        string corpus = Write("c.txt", "a b c\n");
        AssertBadInput(Cli.Run("eval", "--model", model, "--corpus", corpus), "no tokenizer: expected spiece.model, tokenizer.json or vocab.txt");
        AssertBadInput(Cli.Run("eval", "--model", model, "--tokenizer", Cli.Fixture("pipeline-mlm"), "--corpus", corpus), "'hidden_act'");
    }

    [Fact]
    public void Pretrain_with_a_broken_config_exits_2() =>
        AssertBadInput(Cli.Run("pretrain", "--config", Path.Combine(TinyWithConfig("pretrain", "\"gelu_new\"", "\"gelu\\ud800\""), "config.json"),
            "--out", Path.Combine(_dir, "p-out"), "--inputs", Cli.Fixture("tiny/inputs.json"), "--steps", "1"), "'hidden_act'");

    [Fact]
    public void Finetune_with_a_broken_model_exits_2() =>
        AssertBadInput(Cli.Run("finetune", "--task", "sequence-classification", "--model", TinyWithConfig("finetune", "\"gelu_new\"", "\"gelu\\ud800\""),
            "--train", Write("train.tsv", "sentence\tlabel\na\t0\n"), "--out", Path.Combine(_dir, "f-out")), "'hidden_act'");
}
