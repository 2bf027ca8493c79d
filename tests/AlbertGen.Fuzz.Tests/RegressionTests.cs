using System.Text;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.IO;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Tokenization;

namespace AlbertGen.Fuzz.Tests;

/// <summary>
/// The defects of issue 20, one named test each: the committed inputs under tests/fixtures/fuzz/ must be rejected with
/// the reader's own error naming the problem (the fuzz replay only checks that nothing else escapes).
/// </summary>
public sealed class RegressionTests
{
    static byte[] Case(string target, string name) => File.ReadAllBytes(FuzzTargets.Fixture("fuzz", target, name));

    static string SafeTensorsError(string name) =>
        Assert.Throws<SafeTensorsException>(() => FuzzTargets.SafeTensorsCheck(Case("safetensors", name + ".bin"))).Message;

    [Theory]
    [InlineData("tensor-name-invalid-utf8", "not valid UTF-8")]
    [InlineData("metadata-lone-surrogate", "'__metadata__.format': string is not valid UTF-8")]
    [InlineData("metadata-key-lone-surrogate", "'__metadata__': a key is not valid UTF-8")]
    [InlineData("data-offsets-string", "found [the string \"0\"")]
    [InlineData("data-offsets-null", "found [null")]
    [InlineData("data-offsets-true", "found [the boolean true")]
    [InlineData("data-offsets-float", "found [the number 0.5")]
    [InlineData("trailing-bytes", "must cover it exactly")]
    [InlineData("duplicate-tensor-name", "listed twice")]
    public void Malformed_safetensors_headers_are_rejected_by_name(string name, string expected) =>
        Assert.Contains(expected, SafeTensorsError(name), StringComparison.Ordinal);

    [Fact]
    public void A_header_length_field_short_by_1_to_7_bytes_is_rejected()
    {
        var cases = Directory.GetFiles(FuzzTargets.Fixture("fuzz", "safetensors"), "header-length-short-*.bin");
        Assert.NotEmpty(cases);
        foreach (var file in cases)
            Assert.Contains("must cover it exactly", SafeTensorsError(Path.GetFileNameWithoutExtension(file)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hidden-act-lone-surrogate.json", "'hidden_act': string is not valid UTF-8")]
    [InlineData("hidden-act-invalid-utf8.json", "'hidden_act': string is not valid UTF-8")]
    [InlineData("layers-1e9.json", "num_hidden_layers")]
    [InlineData("inner-group-1e9.json", "inner_group_num")]
    [InlineData("hidden-groups-1e7.json", "num_hidden_groups")]
    public void Malformed_configs_are_rejected_naming_the_key(string name, string expected)
    {
        var e = Assert.Throws<AlbertConfigException>(() => FuzzTargets.ConfigCheck(Case("config", name)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("key-lone-surrogate.json", "a key is not valid UTF-8")]
    [InlineData("value-invalid-utf8.json", "'labels[0]': string is not valid UTF-8")]
    [InlineData("id-1e400.json", "must hold integers")]
    [InlineData("labels-1e400.json", "outside float32's range")]
    public void Malformed_inputs_are_rejected_naming_the_key(string name, string expected)
    {
        var e = Assert.Throws<AlbertInputException>(() => FuzzTargets.InputsCheck(Case("inputs", name)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mask-token-invalid-utf8.bin", "tokenizer_config.json: 'mask_token': string is not valid UTF-8")]
    [InlineData("mask-token-lone-surrogate.bin", "'mask_token.content': string is not valid UTF-8")]
    [InlineData("spiece-truncated.bin", "sentencepiece")]
    [InlineData("spiece-empty.bin", "sentencepiece")]
    [InlineData("spiece-not-proto.bin", "sentencepiece")]
    [InlineData("special-tokens-map-malformed.bin", "special_tokens_map.json: malformed JSON")]
    [InlineData("special-tokens-map-invalid-utf8-key.bin", "special_tokens_map.json: a key is not valid UTF-8")]
    public void Broken_tokenizer_folders_are_rejected(string name, string expected)
    {
        var e = Assert.Throws<TokenizerException>(() => FuzzTargets.TokenizerFolderCheck(Case("tokenizer-folder", name)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_past_the_token_budget_is_an_input_error_not_an_overflow()
    {
        using var model = CpuAlbertModel.Load(FuzzTargets.Fixture("tiny"), threads: 1);
        Assert.InRange(model.MaxTokens, 1, int.MaxValue);
        int seq = 64;
        int rows = (int)(model.MaxTokens / seq) + 1;
        var batch = new AlbertBatch(rows, seq, new int[rows * seq]);
        var e = Assert.Throws<AlbertInputException>(() => model.Forward(batch));
        Assert.Contains($"budget of {model.MaxTokens} tokens", e.Message, StringComparison.Ordinal);
        // one within budget still runs
        var small = new AlbertBatch(2, seq, new int[2 * seq]);
        Assert.Equal([2, seq, 32], model.Forward(small).LastHiddenState!.Shape);
    }

    [Fact]
    public void Weight_problems_are_one_line_with_a_count()
    {
        var problems = Enumerable.Range(0, 40).Select(i => $"missing tensor 't{i}' [2]").ToArray();
        var e = new AlbertWeightException("m/model.safetensors", problems);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("40 problem(s)", e.Message, StringComparison.Ordinal);
        Assert.Contains("'t2'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'t3'", e.Message, StringComparison.Ordinal);
        Assert.Contains("and 37 more", e.Message, StringComparison.Ordinal);
        Assert.Equal(40, e.Problems.Count);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(236)]
    [InlineData(255)]
    public void Temporary_names_stay_within_255_bytes(int nameBytes)
    {
        string dir = Path.Combine(Path.GetTempPath(), "albertgen-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // multi-byte characters too: the cut never splits one
            string name = new string('é', (nameBytes - 12) / 2) + new string('a', (nameBytes - 12) % 2) + ".safetensors";
            Assert.Equal(nameBytes, Encoding.UTF8.GetByteCount(name));
            string tmp = AtomicFile.TempPathFor(Path.Combine(dir, name));
            Assert.InRange(Encoding.UTF8.GetByteCount(Path.GetFileName(tmp)), 1, AtomicFile.MaxFileNameBytes);
            SafeTensorsWriter.Write(Path.Combine(dir, name), [new("x", [2], new float[] { 1, 2 })]);
            using var f = SafeTensorsFile.Open(Path.Combine(dir, name));
            Assert.Equal([1f, 2f], f.ReadFloat32Array("x"));
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_failed_write_leaves_no_temporary_file()
    {
        string dir = Path.Combine(Path.GetTempPath(), "albertgen-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // the disk filling up mid-write looks like this to the writer
            Assert.Throws<IOException>(() => AtomicFile.Write(Path.Combine(dir, "out.npy"), s =>
            {
                s.Write(new byte[100]);
                throw new IOException("No space left on device");
            }));
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Orphaned_temporary_files_of_dead_processes_are_deleted()
    {
        string dir = Path.Combine(Path.GetTempPath(), "albertgen-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // pid 2^22 + 1 is above Linux's pid_max default: no such process
            File.WriteAllText(Path.Combine(dir, ".model.safetensors.4194305.0123abcd.tmp"), "torn");
            string ours = AtomicFile.TempPathFor(Path.Combine(dir, "config.json"));
            File.WriteAllText(ours, "in progress");
            File.WriteAllText(Path.Combine(dir, "keep.txt"), "not ours");
            Assert.Equal(1, AtomicFile.DeleteOrphans(dir));
            Assert.Equal([Path.GetFileName(ours), "keep.txt"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
