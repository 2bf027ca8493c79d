using System.Text;
using AlbertGen.Tokenization.SentencePiece;
using Xunit;

namespace AlbertGen.Tokenization.Tests;

public class RobustnessTests
{
    private static readonly SentencePieceAlbertTokenizer Tok = Fixtures.Albert("u1000");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\u0000\u0001\u0007\u001b\u007f")]
    [InlineData("\ud800 lone high")]
    [InlineData("lone low \udc00")]
    [InlineData("\udc00\ud800")]
    [InlineData("😀👍🏽👨‍👩‍👧🇺🇸")]
    [InlineData("中文 日本語 한국어")]
    [InlineData("e\u0301\u0301\u0301 \u0301")]
    [InlineData("\ufffd\ufeff\u202e")]
    public void OddInput_DoesNotThrow_AndStaysAligned(string text)
    {
        foreach (var tok in new AlbertTokenizer[] { Tok, Fixtures.Albert("bf2000"), Fixtures.Albert("u3000_cased"), AlbertTokenizer.FromVocab(Fixtures.PathOf("zh/vocab.txt")) })
        {
            var enc = tok.Encode(text, text);
            Assert.All(enc.Ids, id => Assert.InRange(id, 0, tok.VocabSize - 1));
            Assert.All(enc.Offsets, o => Assert.True(o.Start >= 0 && o.Start <= o.End && o.End <= text.Length));
            _ = tok.Decode(enc.Ids);
            _ = tok.Decode(enc.Ids, skipSpecialTokens: true);
        }
    }

    [Fact]
    public void EmptyAndWhitespace_GiveOnlySpecialTokens()
    {
        Assert.Equal([Tok.ClsTokenId, Tok.SepTokenId], Tok.Encode("").Ids);
        Assert.Equal([Tok.ClsTokenId, Tok.SepTokenId], Tok.Encode(" \t\u3000 ").Ids);
        Assert.Empty(Tok.Encode("", addSpecialTokens: false).Ids);
    }

    [Fact]
    public void InvalidUtf8_DecodedWithReplacementChars_Tokenizes()
    {
        byte[] bytes = [0x61, 0xFF, 0xC3, 0x28, 0x62];
        string text = new UTF8Encoding(false, false).GetString(bytes);
        Assert.Contains('\ufffd', text);
        var enc = Tok.Encode(text);
        Assert.True(enc.Length > 2);
    }

    [Fact]
    public void VeryLongLine_Tokenizes()
    {
        string text = string.Concat(Enumerable.Repeat("The quick brown fox, 1,000 times; ", 3000));
        var enc = Tok.Encode(text, addSpecialTokens: false);
        Assert.True(enc.Length > 30_000);
        Assert.True(enc.Offsets[^1].End <= text.Length);
        Assert.Equal(510, Tok.Encode(text, maxLength: 512).Ids.Count(id => id != Tok.ClsTokenId && id != Tok.SepTokenId));
        string noSpace = new('x', 100_000);
        Assert.NotEmpty(Tok.Encode(noSpace, addSpecialTokens: false).Ids);
    }

    [Fact]
    public void UnknownRun_IsOneUnk_WithoutByteFallback_AndBytesWith()
    {
        // u1000 does not cover runes: spm merges the run into one <unk>
        var plain = Tok.Encode("ᚠᛇᚻ", addSpecialTokens: false);
        Assert.Equal(1, plain.Ids.Count(id => id == Tok.UnkTokenId));
        Assert.Contains("ᚠᛇᚻ", plain.Pieces);
        var bf = Fixtures.Albert("bf2000").Encode("ᚠ", addSpecialTokens: false);
        Assert.Equal(["<0xE1>", "<0x9A>", "<0xA0>"], bf.Pieces[^3..]);
        var bfTok = Fixtures.Albert("bf2000");
        Assert.Equal(bf.Pieces[^3..].Select(bfTok.TokenToId), bf.Ids[^3..]);
        Assert.All(bf.Ids[^3..], id => Assert.Equal(PieceType.Byte, bfTok.Model.GetPieceType(id)));
        Assert.Equal("ᚠ", Fixtures.Albert("bf2000").Decode(bf.Ids));
    }

    [Fact]
    public void MissingFiles_And_BadModels_Throw_TokenizerException()
    {
        using var dir = new TempDir();
        Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromSentencePiece(Path.Combine(dir.Path, "nope.model")));
        Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromVocab(Path.Combine(dir.Path, "nope.txt")));
        Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromModelDirectory(dir.Path));
        Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromModelDirectory(Path.Combine(dir.Path, "missing")));

        string garbage = Path.Combine(dir.Path, "garbage.model");
        File.WriteAllBytes(garbage, Encoding.ASCII.GetBytes("this is not a protobuf model at all \xff\xff"));
        Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromSentencePiece(garbage));
        File.WriteAllBytes(garbage, []);
        Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromSentencePiece(garbage));
        byte[] model = File.ReadAllBytes(Fixtures.PathOf("u1000.model"));
        File.WriteAllBytes(garbage, model[..(model.Length / 2)]);
        Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromSentencePiece(garbage));
        var rng = new Random(3);
        for (int i = 0; i < 50; i++)
        {
            var copy = (byte[])model.Clone();
            for (int k = 0; k < 20; k++)
            {
                copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
            }
            try
            {
                var sp = SentencePieceModel.FromBytes(copy);
                sp.Encode("a random sentence, 1,000 times");
            }
            catch (TokenizerException)
            {
            }
        }

        string empty = Path.Combine(dir.Path, "empty.txt");
        File.WriteAllText(empty, "");
        Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromVocab(empty));
        File.WriteAllText(empty, "a\nb\n");
        Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromVocab(empty)); // no [UNK]

        // a special token that the model does not have: loads, encodes, but cannot give the token's id
        var noMask = AlbertTokenizer.FromSentencePiece(Fixtures.PathOf("u1000.model"), new AlbertTokenizerOptions { MaskToken = "<mask>" });
        Assert.Equal(["<mask>"], noMask.MissingSpecialTokens);
        Assert.Contains("<mask>", Assert.Throws<TokenizerException>(() => noMask.MaskTokenId).Message);
        Assert.Equal(Fixtures.Albert("u1000").Encode("a b").Ids, noMask.Encode("a b").Ids);
    }

    [Fact]
    public void UnigramModel_WithoutAlbertSpecials_EncodesWithoutSpecialTokens()
    {
        // spm_train's defaults: <pad> and <unk> only, no [CLS] [SEP] [MASK]
        var sp = ViterbiDifferentialTests.LoadModel("u250_nmt");
        var tok = new SentencePieceAlbertTokenizer(sp, new AlbertTokenizerOptions());
        Assert.Equal(["[CLS]", "[SEP]", "[MASK]"], tok.MissingSpecialTokens);
        string text = "hello world, [MASK] here";
        var enc = tok.Encode(text, addSpecialTokens: false);
        Assert.Equal(sp.EncodeToIds("hello world"), tok.Encode("hello world", addSpecialTokens: false).Ids);
        Assert.DoesNotContain("[MASK]", enc.Pieces); // not split out: it is not a token of this model
        var e = Assert.Throws<TokenizerException>(() => tok.Encode(text));
        Assert.Contains("'[CLS]'", e.Message);
        Assert.Contains("--no-special", e.Message);
        Assert.Throws<TokenizerException>(() => tok.ClsTokenId);
        Assert.Equal(sp.PieceToId("<pad>"), tok.PadTokenId);
    }

    [Fact]
    public void ModelDirectory_WithSpiece_ReadsConfigFiles()
    {
        using var dir = new TempDir();
        File.Copy(Fixtures.PathOf("u3000.model"), Path.Combine(dir.Path, "spiece.model"));
        var plain = AlbertTokenizer.FromModelDirectory(dir.Path);
        Assert.IsType<SentencePieceAlbertTokenizer>(plain);
        Assert.Equal(Fixtures.Albert("u3000").Encode("Café ÉCOLE").Ids, plain.Encode("Café ÉCOLE").Ids);

        File.WriteAllText(Path.Combine(dir.Path, "tokenizer_config.json"),
            """{"do_lower_case": false, "keep_accents": true, "remove_space": false, "mask_token": {"content": "[MASK]", "lstrip": true}}""");
        File.WriteAllText(Path.Combine(dir.Path, "special_tokens_map.json"), """{"unk_token": "<unk>", "pad_token": "<pad>"}""");
        var cased = (SentencePieceAlbertTokenizer)AlbertTokenizer.FromModelDirectory(dir.Path);
        Assert.False(cased.DoLowerCase);
        Assert.True(cased.KeepAccents);
        Assert.False(cased.RemoveSpace);
        Assert.Equal(Fixtures.Albert("u3000_cased").Encode("Café ÉCOLE").Ids, cased.Encode("Café ÉCOLE").Ids);
        var overridden = (SentencePieceAlbertTokenizer)AlbertTokenizer.FromModelDirectory(dir.Path, new AlbertTokenizerOptions { DoLowerCase = true });
        Assert.True(overridden.DoLowerCase);

        File.WriteAllText(Path.Combine(dir.Path, "tokenizer_config.json"), "{ not json");
        Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromModelDirectory(dir.Path));
    }
}
