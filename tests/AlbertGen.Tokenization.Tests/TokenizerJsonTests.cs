using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace AlbertGen.Tokenization.Tests;

/// <summary>
/// tokenizer.json files made as transformers' AlbertConverter makes them, against HF's tokenizers library on every
/// fixture line (scripts/make_tokenizer_json_fixtures.py).
/// </summary>
public class TokenizerJsonTests(ITestOutputHelper output)
{
    /// <summary>Decompresses json/NAME.tokenizer.json.gz into <paramref name="dir"/> as tokenizer.json.</summary>
    internal static string WriteTokenizerJson(string name, string dir)
    {
        string path = Path.Combine(dir, "tokenizer.json");
        using var gz = new GZipStream(File.OpenRead(Fixtures.PathOf($"json/{name}.tokenizer.json.gz")), CompressionMode.Decompress);
        using var f = File.Create(path);
        gz.CopyTo(f);
        return path;
    }

    private static string[] NumberLines() =>
        File.ReadAllLines(Fixtures.PathOf("json/numbers.jsonl")).Select(l => JsonSerializer.Deserialize<string>(l)!).ToArray();

    private static SentencePiece.SentencePieceModel D1000Model()
    {
        using var gz = new GZipStream(File.OpenRead(Fixtures.PathOf("json/d1000.model.gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return SentencePiece.SentencePieceModel.FromBytes(ms.ToArray());
    }

    [Theory]
    [InlineData("u1000")]
    [InlineData("u3000_cased")]
    [InlineData("bf2000")]
    [InlineData("d1000")]
    [InlineData("u1000_legacy")]
    public void EveryLine_MatchesHfTokenizers(string config)
    {
        using var dir = new TempDir();
        var tok = AlbertTokenizer.FromTokenizerJson(WriteTokenizerJson(config, dir.Path));
        var lines = config switch
        {
            "d1000" => NumberLines(),
            "u1000_legacy" => Fixtures.Lines[..700], // WhitespaceSplit + Metaspace(add_prefix_space), as 2020 hub files
            _ => Fixtures.Lines,
        };
        var failures = new StringBuilder();
        int n = 0, pairs = 0, badIds = 0, badTokens = 0, badOffsets = 0, badDecode = 0, badPairs = 0;
        void Fail(string what)
        {
            if (failures.Length < 4000)
            {
                failures.AppendLine(what);
            }
        }
        foreach (var row in Fixtures.ReadJsonLines($"json/{config}.jsonl.gz"))
        {
            if (row.TryGetProperty("pair", out var pair))
            {
                pairs++;
                var pe = tok.Encode(lines[pair[0].GetInt32()], lines[pair[1].GetInt32()]);
                if (!pe.Ids.SequenceEqual(Fixtures.Ints(row.GetProperty("ids"))) || !pe.TokenTypeIds.SequenceEqual(Fixtures.Ints(row.GetProperty("type_ids"))))
                {
                    badPairs++;
                    Fail($"pair {pair}");
                }
                continue;
            }
            string text = lines[n++];
            var enc = tok.Encode(text);
            var wantTokens = Fixtures.Strings(row.GetProperty("tokens"));
            string label = $"line {n - 1} {JsonSerializer.Serialize(text)}";
            if (!enc.Ids.SequenceEqual(Fixtures.Ints(row.GetProperty("ids"))) || !enc.TokenTypeIds.SequenceEqual(Fixtures.Ints(row.GetProperty("type_ids"))))
            {
                badIds++;
                Fail($"{label}:\n  got  {string.Join(' ', enc.Pieces)}\n  want {string.Join(' ', wantTokens)}");
            }
            else if (!enc.Pieces.SequenceEqual(wantTokens))
            {
                badTokens++;
                Fail($"{label} tokens:\n  got  {JsonSerializer.Serialize(enc.Pieces)}\n  want {JsonSerializer.Serialize(wantTokens)}");
            }
            var wantOffsets = row.GetProperty("offsets").EnumerateArray().Select(o => (o[0].GetInt32(), o[1].GetInt32())).ToArray();
            if (enc.Ids.Length == wantOffsets.Length && !enc.Offsets.SequenceEqual(wantOffsets))
            {
                badOffsets++;
                Fail($"{label} offsets:\n  got  {string.Join(' ', enc.Offsets)}\n  want {string.Join(' ', wantOffsets)}");
            }
            // transformers' fast decode: the library's decode, then clean_up_tokenization (on by default)
            string decode = AlbertTokenizer.CleanUp(row.GetProperty("decode").GetString()!);
            string decodeSkip = AlbertTokenizer.CleanUp(row.GetProperty("decode_skip").GetString()!);
            if (tok.Decode(enc.Ids) != decode || tok.Decode(enc.Ids, skipSpecialTokens: true) != decodeSkip)
            {
                badDecode++;
                Fail($"{label} decode:\n  got  {JsonSerializer.Serialize(tok.Decode(enc.Ids))}\n  want {JsonSerializer.Serialize(decode)}");
            }
        }
        output.WriteLine($"{config}: ids {n - badIds}/{n}, tokens {n - badIds - badTokens}/{n}, offsets {n - badOffsets}/{n}, "
            + $"decode {n - badDecode}/{n}, pairs {pairs - badPairs}/{pairs} exact");
        Assert.Equal(lines.Length, n);
        Assert.True(badIds + badTokens + badOffsets + badDecode + badPairs == 0,
            $"{badIds} ids, {badTokens} tokens, {badOffsets} offsets, {badDecode} decodes, {badPairs} pairs differ:\n{failures}");
    }

    /// <summary>The d1000 row of a numbers.jsonl line.</summary>
    private static JsonElement D1000Row(string text)
    {
        int index = Array.IndexOf(NumberLines(), text);
        Assert.True(index >= 0, $"{text} is not a numbers.jsonl line");
        return Fixtures.ReadJsonLines("json/d1000.jsonl.gz").ElementAt(index);
    }

    [Fact]
    public void ModelDirectory_PrefersTokenizerJson_AndFormatPicksTheOther()
    {
        using var dir = new TempDir();
        WriteTokenizerJson("d1000", dir.Path);
        const string text = "In 7,355,";
        var row = D1000Row(text);
        var jsonOnly = AlbertTokenizer.FromModelDirectory(dir.Path);
        Assert.IsType<FastAlbertTokenizer>(jsonOnly);
        Assert.Equal(Fixtures.Ints(row.GetProperty("ids")), jsonOnly.Encode(text).Ids);

        using (var gz = new GZipStream(File.OpenRead(Fixtures.PathOf("json/d1000.model.gz")), CompressionMode.Decompress))
        using (var f = File.Create(Path.Combine(dir.Path, "spiece.model")))
        {
            gz.CopyTo(f);
        }
        var both = AlbertTokenizer.FromModelDirectory(dir.Path);
        Assert.IsType<FastAlbertTokenizer>(both);
        Assert.Equal(Fixtures.Ints(row.GetProperty("ids")), both.Encode(text).Ids);
        var slow = AlbertTokenizer.FromModelDirectory(dir.Path, new AlbertTokenizerOptions { Format = TokenizerFormat.SentencePiece });
        Assert.IsType<SentencePieceAlbertTokenizer>(slow);
        // the fast tokenizer's file scores "5," pieces -100; the slow one re-splits them: each as its HF library
        Assert.Equal(Fixtures.Ints(row.GetProperty("slow_ids")), slow.Encode(text, addSpecialTokens: false).Ids);
        Assert.NotEqual(slow.Encode(text).Ids, both.Encode(text).Ids);

        File.Delete(Path.Combine(dir.Path, "tokenizer.json"));
        var e = Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromModelDirectory(dir.Path, new AlbertTokenizerOptions { Format = TokenizerFormat.TokenizerJson }));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("found: spiece.model", e.Message);
    }

    [Theory]
    [InlineData("\"vocab\": [\n      [\n        \"", "\\ud800")]       // a lone surrogate escape in a piece
    [InlineData("\"type\": \"", "\\udfff")]                        // ... in a component type
    public void TokenizerJson_WithALoneSurrogate_IsATokenizerError_NamingTheKey(string before, string insert)
    {
        using var dir = new TempDir();
        string path = WriteTokenizerJson("u1000", dir.Path);
        string json = File.ReadAllText(path);
        int at = json.IndexOf(before, StringComparison.Ordinal);
        Assert.True(at >= 0, before);
        File.WriteAllText(path, json.Insert(at + before.Length, insert));
        var e = Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromModelDirectory(dir.Path));
        Assert.Contains("tokenizer.json", e.Message);
    }

    [Fact]
    public void ModelDirectory_WithoutTokenizer_SaysWhatWasFoundAndWhatWouldWork()
    {
        using var dir = new TempDir();
        var empty = Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromModelDirectory(dir.Path));
        Assert.Equal($"no tokenizer: expected spiece.model, tokenizer.json or vocab.txt in {dir.Path} (found: nothing)", empty.Message);
        File.WriteAllText(Path.Combine(dir.Path, "config.json"), "{}");
        File.WriteAllText(Path.Combine(dir.Path, "pytorch_model.bin"), "");
        var some = Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromModelDirectory(dir.Path));
        Assert.EndsWith("(found: config.json, pytorch_model.bin)", some.Message);
    }

    [Fact]
    public void UnsupportedTokenizerJson_IsRefusedByName_WithTheSpieceHint()
    {
        using var dir = new TempDir();
        string path = WriteTokenizerJson("u1000", dir.Path);
        string json = File.ReadAllText(path).Replace("\"type\": \"Metaspace\"", "\"type\": \"ByteLevel\"", StringComparison.Ordinal);
        File.WriteAllText(path, json);
        Assert.Contains("\"ByteLevel\"", Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromTokenizerJson(path)).Message);
        File.Copy(Fixtures.PathOf("u1000.model"), Path.Combine(dir.Path, "spiece.model"));
        var e = Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromModelDirectory(dir.Path));
        Assert.Contains("--tokenizer-format spm", e.Message);
        File.WriteAllText(path, "{ not json");
        Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromTokenizerJson(path));
    }

    [Fact]
    public void DigitComma_FastAndSlowDiffer_EachAsItsLibrary()
    {
        // d1000 has pieces such as "0,": the slow tokenizer re-splits them, the fast one's file scores them -100
        using var dir = new TempDir();
        var fast = AlbertTokenizer.FromTokenizerJson(WriteTokenizerJson("d1000", dir.Path));
        var slow = new SentencePieceAlbertTokenizer(D1000Model(), new AlbertTokenizerOptions());
        var lines = NumberLines();
        int n = 0, slowBad = 0, differ = 0;
        foreach (var row in Fixtures.ReadJsonLines("json/d1000.jsonl.gz"))
        {
            string text = lines[n++];
            var slowIds = slow.Encode(text, addSpecialTokens: false).Ids;
            if (!slowIds.SequenceEqual(Fixtures.Ints(row.GetProperty("slow_ids"))))
            {
                slowBad++;
            }
            if (!slowIds.SequenceEqual(fast.Encode(text, addSpecialTokens: false).Ids))
            {
                differ++;
            }
        }
        output.WriteLine($"d1000: slow {n - slowBad}/{n} exact; fast and slow differ on {differ} of {n} lines");
        Assert.Equal(lines.Length, n);
        Assert.Equal(0, slowBad);
        Assert.True(differ > 100, $"{differ}");
        Assert.Equal(["▁in", "▁7", ",", "3", "5", "5", ","], slow.Tokenize("In 7,355,"));
        Assert.Equal(["▁in", "▁7", ",", "35", "5", ","], fast.Tokenize("In 7,355,"));
    }
}
