using System.Text;
using AlbertGen.Tokenization.SentencePiece;
using Xunit;
using Xunit.Abstractions;

namespace AlbertGen.Tokenization.Tests;

/// <summary>Every fixture line against sentencepiece (spm_encode) and HF's slow AlbertTokenizer.</summary>
public class ExactMatchTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("u1000")]
    [InlineData("u3000")]
    [InlineData("bf2000")]
    public void RawSentencePiece_MatchesSpmEncode_OnEveryLine(string model)
    {
        var sp = SentencePieceModel.Load(Fixtures.PathOf($"{model}.model"));
        var lines = Fixtures.Lines;
        var failures = new StringBuilder();
        int n = 0, bad = 0;
        foreach (var row in Fixtures.ReadJsonLines($"spm_{model}.jsonl.gz"))
        {
            string text = lines[n++];
            var tokens = sp.Encode(text);
            var ids = tokens.Select(t => t.Id).ToArray();
            var pieces = tokens.Select(t => t.Piece).ToArray();
            if (!ids.SequenceEqual(Fixtures.Ints(row.GetProperty("ids"))) || !pieces.SequenceEqual(Fixtures.Strings(row.GetProperty("pieces"))))
            {
                if (++bad <= 5)
                {
                    failures.AppendLine($"line {n - 1} {System.Text.Json.JsonSerializer.Serialize(text)}:\n  got  {string.Join(' ', pieces)}\n  want {string.Join(' ', Fixtures.Strings(row.GetProperty("pieces")))}");
                }
            }
        }
        output.WriteLine($"{model}: {n - bad}/{n} lines exact");
        Assert.Equal(lines.Length, n);
        Assert.True(bad == 0, $"{bad} of {n} lines differ:\n{failures}");
    }

    [Theory]
    [InlineData("u1000")]
    [InlineData("u3000")]
    [InlineData("u3000_cased")]
    [InlineData("bf2000")]
    public void AlbertTokenizer_MatchesHfSlowTokenizer_OnEveryLine(string config)
    {
        var tok = Fixtures.Albert(config);
        var lines = Fixtures.Lines;
        var failures = new StringBuilder();
        int n = 0, bad = 0, badDecode = 0;
        foreach (var row in Fixtures.ReadJsonLines($"hf_{config}.jsonl.gz"))
        {
            string text = lines[n++];
            var wantIds = Fixtures.Ints(row.GetProperty("ids"));
            var wantPieces = wantIds.Select(tok.IdToToken).ToArray();
            foreach (var u in row.GetProperty("unk_pieces").EnumerateArray())
            {
                wantPieces[u[0].GetInt32()] = u[1].GetString()!;
            }
            var enc = tok.Encode(text);
            var ids = enc.Ids[1..^1];
            var pieces = enc.Pieces[1..^1];
            if (!ids.SequenceEqual(wantIds) || !pieces.SequenceEqual(wantPieces))
            {
                if (++bad <= 5)
                {
                    failures.AppendLine($"line {n - 1} {System.Text.Json.JsonSerializer.Serialize(text)}:\n  got  {string.Join(' ', pieces)}\n  want {string.Join(' ', wantPieces)}");
                }
            }
            string decode = tok.Decode(enc.Ids), decodeSkip = tok.Decode(enc.Ids, skipSpecialTokens: true);
            if (decode != row.GetProperty("decode").GetString() || decodeSkip != row.GetProperty("decode_skip").GetString())
            {
                if (++badDecode <= 5)
                {
                    failures.AppendLine($"decode line {n - 1}:\n  got  {System.Text.Json.JsonSerializer.Serialize(decode)} / {System.Text.Json.JsonSerializer.Serialize(decodeSkip)}\n  want {row.GetProperty("decode")} / {row.GetProperty("decode_skip")}");
                }
            }
        }
        output.WriteLine($"{config}: ids+pieces {n - bad}/{n} exact, decode {n - badDecode}/{n} exact");
        Assert.Equal(lines.Length, n);
        Assert.True(bad == 0 && badDecode == 0, $"{bad} encodings and {badDecode} decodes of {n} differ:\n{failures}");
    }
}
