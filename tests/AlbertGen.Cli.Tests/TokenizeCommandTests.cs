using System.Text.Json;

namespace AlbertGen.Cli.Tests;

public class TokenizeCommandTests
{
    static string Spm => Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer", "u1000.model");

    static JsonElement[] Lines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();

    [Fact]
    public void One_json_object_per_line_with_ids_pieces_types_and_offsets()
    {
        var r = Cli.RunWithInput("Hello, world!\n\nsecond line\n", "tokenize", "--spm", Spm);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = Lines(r.Stdout);
        Assert.Equal(3, lines.Length); // the empty line gives [CLS] [SEP]
        var first = lines[0];
        int n = first.GetProperty("ids").GetArrayLength();
        Assert.Equal(n, first.GetProperty("pieces").GetArrayLength());
        Assert.Equal(n, first.GetProperty("token_type_ids").GetArrayLength());
        Assert.Equal(n, first.GetProperty("offsets").GetArrayLength());
        Assert.Equal("[CLS]", first.GetProperty("pieces")[0].GetString());
        Assert.Equal("[SEP]", first.GetProperty("pieces")[n - 1].GetString());
        Assert.Equal(2, lines[1].GetProperty("ids").GetArrayLength());
    }

    [Fact]
    public void Pairs_get_segment_ids_and_max_length_truncates()
    {
        var r = Cli.RunWithInput("a question\tthe context here is long\n", "tokenize", "--spm", Spm, "--pair", "--max-length", "7");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var line = Lines(r.Stdout)[0];
        Assert.Equal(7, line.GetProperty("ids").GetArrayLength());
        var types = line.GetProperty("token_type_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(0, types[0]);
        Assert.Equal(1, types[^1]);
    }

    [Fact]
    public void Invalid_utf8_does_not_crash()
    {
        byte[] input = [(byte)'o', (byte)'k', (byte)' ', 0xFF, 0xFE, 0xC3, (byte)' ', (byte)'x', (byte)'\n'];
        var r = Cli.RunWithBytes(input, "tokenize", "--spm", Spm);
        Assert.Equal(0, r.ExitCode);
        Assert.Single(Lines(r.Stdout));
    }

    /// <summary>An spm_train model with only &lt;pad&gt; and &lt;unk&gt; (no [CLS]/[SEP]/[MASK]) as a model folder.</summary>
    static string PlainUnigramFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "albertgen-cli-tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        using var gz = new System.IO.Compression.GZipStream(
            File.OpenRead(Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer", "viterbi", "u250_nmt.model.gz")),
            System.IO.Compression.CompressionMode.Decompress);
        using var f = File.Create(Path.Combine(dir, "spiece.model"));
        gz.CopyTo(f);
        return dir;
    }

    [Fact]
    public void No_special_works_with_a_model_without_albert_special_tokens()
    {
        string dir = PlainUnigramFolder();
        try
        {
            var r = Cli.RunWithInput("hello world\n", "tokenize", "--model", dir, "--no-special");
            Assert.True(r.ExitCode == 0, r.Stderr);
            var pieces = Lines(r.Stdout)[0].GetProperty("pieces").EnumerateArray().Select(e => e.GetString()).ToArray();
            Assert.NotEmpty(pieces);
            Assert.DoesNotContain("[CLS]", pieces);

            var refused = Cli.RunWithInput("hello world\n", "tokenize", "--model", dir);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("'[CLS]'", refused.Stderr);
            Assert.Contains("--no-special", refused.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Tokenizer_format_picks_tokenizer_json_or_spiece_model()
    {
        string dir = Path.Combine(Path.GetTempPath(), "albertgen-cli-tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer", "json");
            foreach (var (from, to) in new[] { ("d1000.tokenizer.json.gz", "tokenizer.json"), ("d1000.model.gz", "spiece.model") })
            {
                using var gz = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(fixtures, from)), System.IO.Compression.CompressionMode.Decompress);
                using var f = File.Create(Path.Combine(dir, to));
                gz.CopyTo(f);
            }
            string[] Pieces(params string[] extra)
            {
                var r = Cli.RunWithInput("In 7,355,\n", ["tokenize", "--model", dir, "--no-special", .. extra]);
                Assert.True(r.ExitCode == 0, r.Stderr);
                return Lines(r.Stdout)[0].GetProperty("pieces").EnumerateArray().Select(e => e.GetString()!).ToArray();
            }
            // HF's fast tokenizer (tokenizer.json, the default) keeps "35"; the slow one re-splits the "355," piece
            Assert.Equal(["▁in", "▁7", ",", "35", "5", ","], Pieces());
            Assert.Equal(["▁in", "▁7", ",", "35", "5", ","], Pieces("--tokenizer-format", "json"));
            Assert.Equal(["▁in", "▁7", ",", "3", "5", "5", ","], Pieces("--tokenizer-format", "spm"));

            File.Delete(Path.Combine(dir, "spiece.model"));
            var r = Cli.RunWithInput("x\n", "tokenize", "--model", dir, "--tokenizer-format", "spm");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("found: tokenizer.json", r.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Folder_without_tokenizer_says_what_it_found()
    {
        string dir = Path.Combine(Path.GetTempPath(), "albertgen-cli-tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), "{}");
            var r = Cli.RunWithInput("x\n", "tokenize", "--model", dir);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("no tokenizer: expected spiece.model, tokenizer.json or vocab.txt", r.Stderr);
            Assert.Contains("(found: config.json)", r.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Missing_model_exits_2()
    {
        var r = Cli.RunWithInput("x\n", "tokenize", "--spm", "/no/such/spiece.model");
        Assert.Equal(2, r.ExitCode);
        Assert.NotEmpty(r.Stderr);
    }
}
