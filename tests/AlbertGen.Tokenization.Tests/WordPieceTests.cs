using Xunit;

namespace AlbertGen.Tokenization.Tests;

/// <summary>
/// BERT BasicTokenizer + WordPiece on a hand-made Chinese vocabulary; expected values follow HF
/// BertTokenizer's algorithm (CJK ideographs split, lower-case + NFD accent strip, punctuation split,
/// greedy longest match with ##, [UNK] for unmatched words and words over 100 chars).
/// </summary>
public class WordPieceTests
{
    private static readonly WordPieceAlbertTokenizer Tok = AlbertTokenizer.FromVocab(Fixtures.PathOf("zh/vocab.txt"));

    [Theory]
    [InlineData("我爱北京天安门", "我 爱 北 京 天 安 门")]
    [InlineData("unaffable", "un ##aff ##able")]
    [InlineData("Hello, World!", "hello , world !")]
    [InlineData("HÉLLO café", "hello cafe")]
    [InlineData("中国人民", "中 国 人 [UNK]")]
    [InlineData("xyz", "[UNK]")]
    [InlineData("abc", "a ##b ##c")]
    [InlineData("hello中国world", "hello 中 国 world")]
    [InlineData("我，爱。", "我 ， 爱 。")]
    [InlineData("he\u0000llo\u200b", "hello")]
    [InlineData("1000", "100 ##0")]
    [InlineData("helllo", "he ##l ##llo")]
    [InlineData("我[MASK]你", "我 [MASK] [UNK]")]
    [InlineData("  \t\n ", "")]
    [InlineData("", "")]
    public void Tokenize_AsBertTokenizer(string text, string expected)
    {
        Assert.Equal(expected, string.Join(' ', Tok.Tokenize(text)));
    }

    [Fact]
    public void LongWord_IsUnk()
    {
        Assert.Equal(100, Tok.Tokenize("a" + new string('b', 99)).Count);
        Assert.Equal(["[UNK]"], Tok.Tokenize("a" + new string('b', 100)));
    }

    [Fact]
    public void Encode_IdsOffsetsDecode()
    {
        var enc = Tok.Encode("我爱 unaffable");
        Assert.Equal([2, 6, 7, 20, 21, 22, 3], enc.Ids);
        Assert.Equal([(0, 0), (0, 1), (1, 2), (3, 5), (5, 8), (8, 12), (0, 0)], enc.Offsets);
        Assert.Equal("[CLS] 我 爱 unaffable [SEP]", Tok.Decode(enc.Ids));
        Assert.Equal("我 爱 unaffable", Tok.Decode(enc.Ids, skipSpecialTokens: true));
        var pair = Tok.Encode("我", "爱", maxLength: 4);
        // longest_first on equal lengths cuts the second text (HF)
        Assert.Equal([2, 6, 3, 3], pair.Ids);
        Assert.Equal([0, 0, 0, 1], pair.TokenTypeIds);
        Assert.Equal(0, Tok.PadTokenId);
    }

    [Fact]
    public void ModelDirectory_WithVocab_ReadsConfig()
    {
        using var dir = new TempDir();
        File.Copy(Fixtures.PathOf("zh/vocab.txt"), Path.Combine(dir.Path, "vocab.txt"));
        File.WriteAllText(Path.Combine(dir.Path, "tokenizer_config.json"), """{"do_lower_case": false, "tokenize_chinese_chars": true}""");
        var tok = AlbertTokenizer.FromModelDirectory(dir.Path);
        Assert.IsType<WordPieceAlbertTokenizer>(tok);
        Assert.Equal("[UNK] , world", string.Join(' ', tok.Tokenize("Hello, world")));
        var lower = AlbertTokenizer.FromModelDirectory(dir.Path, new AlbertTokenizerOptions { DoLowerCase = true });
        Assert.Equal("hello , world", string.Join(' ', lower.Tokenize("Hello, world")));
    }
}
