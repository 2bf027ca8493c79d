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

    [Theory]
    [InlineData("u1000")]
    [InlineData("u3000_cased")]
    [InlineData("bf2000")]
    public void EveryLine_MatchesHfTokenizers(string config)
    {
        using var dir = new TempDir();
        var tok = AlbertTokenizer.FromTokenizerJson(WriteTokenizerJson(config, dir.Path));
        var lines = Fixtures.Lines;
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
}
