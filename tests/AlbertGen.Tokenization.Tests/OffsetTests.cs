using Xunit;

namespace AlbertGen.Tokenization.Tests;

/// <summary>Each token's span of the ORIGINAL text, normalised the way the tokenizer does, holds its piece.</summary>
public class OffsetTests
{
    [Theory]
    [InlineData("u1000")]
    [InlineData("u3000_cased")]
    [InlineData("bf2000")]
    public void Offsets_MapBackToText_ConsistentWithPieces(string config)
    {
        var tok = Fixtures.Albert(config);
        int checkedTokens = 0;
        var problems = new List<string>();
        foreach (string text in Fixtures.Lines)
        {
            var enc = tok.Encode(text);
            Assert.Equal((0, 0), enc.Offsets[0]);
            Assert.Equal((0, 0), enc.Offsets[^1]);
            int prevStart = 0;
            for (int i = 1; i < enc.Length - 1; i++)
            {
                var (s, e) = enc.Offsets[i];
                Assert.InRange(s, 0, text.Length);
                Assert.InRange(e, s, text.Length);
                Assert.True(s >= prevStart, $"offsets go backwards in {text}");
                prevStart = s;
                string piece = enc.Pieces[i];
                if (piece == "[MASK]" || piece == "[CLS]" || piece == "[SEP]" || piece == "<unk>" || piece == "<pad>")
                {
                    Assert.Equal(piece, text[s..e]);
                    continue;
                }
                string core = piece.Replace("\u2581", "", StringComparison.Ordinal);
                if (core.Length == 0 || piece.StartsWith("<0x", StringComparison.Ordinal))
                {
                    continue;
                }
                string normalized = tok.Model.Normalize(tok.Preprocess(text[s..e])).Replace("\u2581", "", StringComparison.Ordinal);
                checkedTokens++;
                if (!normalized.Contains(core, StringComparison.Ordinal) && problems.Count < 5)
                {
                    problems.Add($"{piece} ({s},{e}) -> '{text[s..e]}' normalises to '{normalized}' in {System.Text.Json.JsonSerializer.Serialize(text)}");
                }
            }
        }
        Assert.True(checkedTokens > 50_000, $"only {checkedTokens} tokens checked");
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Offsets_Examples()
    {
        var tok = Fixtures.Albert("u1000");
        const string text = "  Héllo,  WORLD ``quoted''";
        var enc = tok.Encode(text, addSpecialTokens: false);
        var spans = enc.Offsets.Select(o => text[o.Start..o.End]).ToArray();
        Assert.Equal("Héllo,WORLD``quoted''", string.Concat(spans.Where(s => s.Length > 0)).Replace(" ", ""));
        Assert.Equal("``", spans[Array.FindIndex(enc.Pieces, p => p.Contains('"'))]);
    }
}
