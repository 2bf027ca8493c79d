using System.Globalization;
using System.Text;
using AlbertGen.Tokenization.Text;
using AlbertGen.Tokenization.WordPiece;

namespace AlbertGen.Tokenization;

/// <summary>
/// HF's (slow) <c>BertTokenizer</c>, as the Chinese ALBERT checkpoints use it: BasicTokenizer (drop
/// control chars, whitespace → space, spaces around CJK ideographs, lower-casing, NFD accent stripping,
/// punctuation split) then greedy longest-match WordPiece with "##" continuations; a word longer than
/// 100 characters or with no match becomes [UNK]. Defaults: [CLS] [SEP] [PAD] [UNK] [MASK].
/// </summary>
/// <remarks>Not reproduced: the NFC step newer BasicTokenizers apply before splitting (it only matters when accents are kept).</remarks>
public sealed class WordPieceAlbertTokenizer : AlbertTokenizer
{
    public const int MaxInputCharsPerWord = 100;

    private readonly WordPieceVocab _vocab;

    internal WordPieceAlbertTokenizer(WordPieceVocab vocab, AlbertTokenizerOptions options)
        : base(options.ClsToken ?? "[CLS]", options.SepToken ?? "[SEP]", options.PadToken ?? "[PAD]",
            options.UnkToken ?? "[UNK]", options.MaskToken ?? "[MASK]", maskLStrip: false, options.CleanUpTokenizationSpaces ?? true,
            token => vocab.TryGetId(token, out _))
    {
        _vocab = vocab;
        DoLowerCase = options.DoLowerCase ?? true;
        StripAccents = options.StripAccents;
        TokenizeChineseChars = options.TokenizeChineseChars ?? true;
        if (!vocab.TryGetId(UnkToken, out _))
        {
            throw new TokenizerException($"unknown token '{UnkToken}' is not in the WordPiece vocabulary");
        }
    }

    public bool DoLowerCase { get; }

    /// <summary>null: strip accents when lower-casing (HF default).</summary>
    public bool? StripAccents { get; }

    public bool TokenizeChineseChars { get; }

    public override int VocabSize => _vocab.Count;

    public override string IdToToken(int id) => _vocab[id];

    public override int TokenToId(string token) => _vocab.TryGetId(token, out int id) ? id : _vocab.TryGetId(UnkToken, out int unk) ? unk : 0;

    private protected override void TokenizeChunk(string text, int start, int end, List<TokenSpan> output)
    {
        var t = AlignedText.FromOriginal(text.AsSpan(start, end - start), start);
        if (DoLowerCase)
        {
            t = SentencePieceAlbertTokenizer.Lower(t);
        }
        t = CleanAndSpaceCjk(t);
        bool strip = StripAccents ?? DoLowerCase;
        var word = new AlignedText();
        Span<int> hangul = stackalloc int[3];
        int i = 0;
        while (i < t.Length)
        {
            int cp = t.CodePointAt(i, out int w);
            if (UnicodeTables.IsPythonSpace(cp))
            {
                i += w;
                continue;
            }
            // one whitespace-separated token: accents stripped, then split on punctuation
            word.Clear();
            while (i < t.Length)
            {
                cp = t.CodePointAt(i, out w);
                if (UnicodeTables.IsPythonSpace(cp))
                {
                    break;
                }
                int s = t.Starts[i], e = t.Ends[i + w - 1];
                if (strip && UnicodeTables.TryStripAccentsNfd(cp, out var rep, out int hc, hangul))
                {
                    foreach (int r in hc > 0 ? hangul[..hc] : rep)
                    {
                        word.AppendCodePoint(r, s, e);
                    }
                }
                else
                {
                    word.AppendCodePoint(cp, s, e);
                }
                i += w;
            }
            SplitOnPunctuation(word, output);
        }
    }

    /// <summary>BasicTokenizer._clean_text and _tokenize_chinese_chars.</summary>
    private AlignedText CleanAndSpaceCjk(AlignedText t)
    {
        var o = new AlignedText(t.Length + 8);
        for (int i = 0; i < t.Length;)
        {
            int cp = t.CodePointAt(i, out int w);
            int s = t.Starts[i], e = t.Ends[i + w - 1];
            i += w;
            if (cp == 0 || cp == 0xFFFD || IsControl(cp))
            {
                continue;
            }
            if (IsBertWhitespace(cp))
            {
                o.Append(' ', s, e);
            }
            else if (TokenizeChineseChars && IsChineseChar(cp))
            {
                o.Append(' ', s, s);
                o.AppendCodePoint(cp, s, e);
                o.Append(' ', e, e);
            }
            else
            {
                o.AppendCodePoint(cp, s, e);
            }
        }
        return o;
    }

    private void SplitOnPunctuation(AlignedText word, List<TokenSpan> output)
    {
        int i = 0;
        int pieceStart = 0;
        while (i < word.Length)
        {
            int cp = word.CodePointAt(i, out int w);
            if (IsPunctuation(cp))
            {
                if (i > pieceStart)
                {
                    WordPieceSplit(word, pieceStart, i, output);
                }
                WordPieceSplit(word, i, i + w, output);
                pieceStart = i + w;
            }
            i += w;
        }
        if (pieceStart < word.Length)
        {
            WordPieceSplit(word, pieceStart, word.Length, output);
        }
    }

    /// <summary>WordpieceTokenizer.tokenize for one word word[from, to).</summary>
    private void WordPieceSplit(AlignedText word, int from, int to, List<TokenSpan> output)
    {
        // code point boundaries (Python indexes code points)
        var bounds = new List<int>();
        for (int i = from; i < to;)
        {
            bounds.Add(i);
            word.CodePointAt(i, out int w);
            i += w;
        }
        bounds.Add(to);
        int chars = bounds.Count - 1;
        int wordStart = word.Starts[from], wordEnd = word.Ends[to - 1];
        if (chars > MaxInputCharsPerWord)
        {
            output.Add(new TokenSpan(UnkToken, TokenToId(UnkToken), wordStart, wordEnd));
            return;
        }
        int mark = output.Count;
        var sb = new StringBuilder();
        int start = 0;
        while (start < chars)
        {
            int end = chars;
            string? found = null;
            int foundId = -1;
            while (start < end)
            {
                sb.Clear();
                if (start > 0)
                {
                    sb.Append("##");
                }
                sb.Append(word.Chars[bounds[start]..bounds[end]]);
                string candidate = sb.ToString();
                if (_vocab.TryGetId(candidate, out int id))
                {
                    found = candidate;
                    foundId = id;
                    break;
                }
                end--;
            }
            if (found is null)
            {
                output.RemoveRange(mark, output.Count - mark);
                output.Add(new TokenSpan(UnkToken, TokenToId(UnkToken), wordStart, wordEnd));
                return;
            }
            output.Add(new TokenSpan(found, foundId, word.Starts[bounds[start]], word.Ends[bounds[end] - 1]));
            start = end;
        }
    }

    /// <summary>BertTokenizer.convert_tokens_to_string: <c>" ".join(tokens).replace(" ##", "").strip()</c>.</summary>
    public override string ConvertTokensToString(IReadOnlyList<string> tokens) =>
        PythonStrip(string.Join(' ', tokens).Replace(" ##", "", StringComparison.Ordinal));

    private static bool IsBertWhitespace(int cp) =>
        cp is ' ' or '\t' or '\n' or '\r' || CharUnicodeInfo.GetUnicodeCategory(cp) == UnicodeCategory.SpaceSeparator;

    private static bool IsControl(int cp)
    {
        if (cp is '\t' or '\n' or '\r')
        {
            return false;
        }
        var cat = CharUnicodeInfo.GetUnicodeCategory(cp);
        return cat is UnicodeCategory.Control or UnicodeCategory.Format;
    }

    private static bool IsPunctuation(int cp)
    {
        if (cp is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126))
        {
            return true;
        }
        return CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>BasicTokenizer._is_chinese_char: the CJK Unified Ideographs blocks, not all of CJK.</summary>
    private static bool IsChineseChar(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
