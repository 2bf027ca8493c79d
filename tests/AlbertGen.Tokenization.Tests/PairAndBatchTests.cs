using Xunit;

namespace AlbertGen.Tokenization.Tests;

public class PairAndBatchTests
{
    private static readonly SentencePieceAlbertTokenizer Tok = Fixtures.Albert("u1000");

    [Fact]
    public void PairsWithTruncation_MatchHf()
    {
        int n = 0;
        foreach (var row in Fixtures.ReadJsonLines("pairs_u1000.jsonl"))
        {
            string a = Fixtures.Lines[row.GetProperty("a").GetInt32()];
            string? b = row.GetProperty("b").ValueKind == System.Text.Json.JsonValueKind.Null ? null : Fixtures.Lines[row.GetProperty("b").GetInt32()];
            var strategy = row.GetProperty("truncation").GetString() switch
            {
                "longest_first" => TruncationStrategy.LongestFirst,
                "only_first" => TruncationStrategy.OnlyFirst,
                _ => TruncationStrategy.OnlySecond,
            };
            var enc = Tok.Encode(a, b, maxLength: row.GetProperty("max_length").GetInt32(), truncation: strategy);
            Assert.Equal(Fixtures.Ints(row.GetProperty("ids")), enc.Ids);
            Assert.Equal(Fixtures.Ints(row.GetProperty("token_type_ids")), enc.TokenTypeIds);
            Assert.All(enc.AttentionMask, m => Assert.Equal(1, m));
            n++;
        }
        Assert.Equal(240, n);
    }

    [Fact]
    public void Pair_Layout_ClsASepBSep()
    {
        var enc = Tok.Encode("the cat", "a dog");
        var a = Tok.Encode("the cat", addSpecialTokens: false);
        var b = Tok.Encode("a dog", addSpecialTokens: false);
        int[] expected = [Tok.ClsTokenId, .. a.Ids, Tok.SepTokenId, .. b.Ids, Tok.SepTokenId];
        Assert.Equal(expected, enc.Ids);
        Assert.Equal(Enumerable.Repeat(0, a.Length + 2).Concat(Enumerable.Repeat(1, b.Length + 1)), enc.TokenTypeIds);
        Assert.Equal([1, .. Enumerable.Repeat(0, a.Length), 1, .. Enumerable.Repeat(0, b.Length), 1], enc.SpecialTokensMask);
        Assert.Equal((0, 0), enc.Offsets[0]);
        Assert.Equal((0, 0), enc.Offsets[^1]);
        Assert.Equal("[CLS]", enc.Pieces[0]);
        Assert.Equal(2, Tok.ClsTokenId);
        Assert.Equal(3, Tok.SepTokenId);
        Assert.Equal(4, Tok.MaskTokenId);
        Assert.Equal(0, Tok.PadTokenId);
        Assert.Equal(1, Tok.UnkTokenId);
    }

    [Fact]
    public void Truncation_Strategies()
    {
        const string a = "one two three four five six seven eight nine ten";
        const string b = "alpha beta";
        int la = Tok.Encode(a, addSpecialTokens: false).Length, lb = Tok.Encode(b, addSpecialTokens: false).Length;
        Assert.True(la > lb + 4);

        var longest = Tok.Encode(a, b, maxLength: lb * 2 + 3, truncation: TruncationStrategy.LongestFirst);
        Assert.Equal(lb * 2 + 3, longest.Length);
        Assert.Equal(lb + 1, longest.TokenTypeIds.Count(t => t == 1)); // B untouched, A cut to B's length

        var onlyFirst = Tok.Encode(a, b, maxLength: 3 + lb + 2, truncation: TruncationStrategy.OnlyFirst);
        Assert.Equal(3 + lb + 2, onlyFirst.Length);

        // only_second cannot remove enough: HF leaves the input untruncated
        var onlySecond = Tok.Encode(a, b, maxLength: 5, truncation: TruncationStrategy.OnlySecond);
        Assert.Equal(la + lb + 3, onlySecond.Length);

        var none = Tok.Encode(a, b, maxLength: 5, truncation: TruncationStrategy.DoNotTruncate);
        Assert.Equal(la + lb + 3, none.Length);

        var single = Tok.Encode(a, maxLength: 4);
        Assert.Equal(4, single.Length);
        Assert.Equal(Tok.SepTokenId, single.Ids[^1]);
    }

    [Fact]
    public void Batch_PadsRight_Longest_And_MaxLength()
    {
        string[] texts = ["short", "a somewhat longer sentence here", ""];
        var batch = Tok.EncodeBatch(texts);
        int longest = texts.Max(t => Tok.Encode(t).Length);
        Assert.All(batch, e => Assert.Equal(longest, e.Length));
        var empty = batch[2];
        Assert.Equal([Tok.ClsTokenId, Tok.SepTokenId], empty.Ids[..2]);
        Assert.All(empty.Ids[2..], id => Assert.Equal(Tok.PadTokenId, id));
        Assert.Equal([1, 1, .. Enumerable.Repeat(0, longest - 2)], empty.AttentionMask);
        Assert.All(empty.Pieces[2..], p => Assert.Equal("<pad>", p));
        Assert.All(empty.Offsets[2..], o => Assert.Equal((0, 0), o));

        var fixedLen = Tok.EncodeBatch(texts, pairs: ["x", null, "y z"], maxLength: 8, padding: PaddingStrategy.MaxLength);
        Assert.All(fixedLen, e => Assert.Equal(8, e.Length));
        Assert.Equal(Tok.Encode(texts[1], maxLength: 8).Ids, fixedLen[1].Ids);

        var unpadded = Tok.EncodeBatch(texts, padding: PaddingStrategy.DoNotPad);
        Assert.Equal(texts.Select(t => Tok.Encode(t).Length), unpadded.Select(e => e.Length));
        Assert.Empty(Tok.EncodeBatch([]));
    }

    [Fact]
    public void SpecialTokensInText_SplitLikeHf()
    {
        var enc = Tok.Encode("Paris is the   [MASK] of France.", addSpecialTokens: false);
        int mask = Array.IndexOf(enc.Ids, Tok.MaskTokenId);
        Assert.True(mask > 0);
        Assert.Equal("[MASK]", enc.Pieces[mask]);
        Assert.Equal((15, 21), enc.Offsets[mask]);
        // lower-cased "[mask]" is plain text
        Assert.DoesNotContain(Tok.MaskTokenId, Tok.Encode("[mask]", addSpecialTokens: false).Ids);
        Assert.Equal([Tok.ClsTokenId, Tok.SepTokenId], Tok.Encode("[CLS][SEP]", addSpecialTokens: false).Ids);
    }

    [Fact]
    public void Decode_SpecialTokens()
    {
        var enc = Tok.Encode("Hello [MASK] world", "second");
        Assert.Equal("[CLS] hello[MASK] world[SEP] second[SEP]", Tok.Decode(enc.Ids));
        Assert.Equal("hello world second", Tok.Decode(enc.Ids, skipSpecialTokens: true));
        Assert.Equal("", Tok.Decode([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Decode([Tok.VocabSize]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Decode([-1]));
    }
}
