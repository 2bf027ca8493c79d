using System.Text;
using AlbertGen.Tokenization.SentencePiece;
using AlbertGen.Tokenization.Text;

namespace AlbertGen.Tokenization;

/// <summary>
/// HF's (slow) <c>AlbertTokenizer</c>: <c>preprocess_text</c> (whitespace collapse, `` and '' → ",
/// NFKD without combining marks unless keep_accents, lower-casing), SentencePiece Unigram, and the
/// digit-comma piece rule. Defaults as HF: do_lower_case, remove_space, no keep_accents,
/// &lt;unk&gt; &lt;pad&gt; [CLS] [SEP] [MASK] ([MASK] strips the whitespace before it).
/// </summary>
public sealed class SentencePieceAlbertTokenizer : AlbertTokenizer
{
    internal SentencePieceAlbertTokenizer(SentencePieceModel model, AlbertTokenizerOptions options)
        : base(options.ClsToken ?? "[CLS]", options.SepToken ?? "[SEP]", options.PadToken ?? "<pad>",
            options.UnkToken ?? "<unk>", options.MaskToken ?? "[MASK]", maskLStrip: true, options.CleanUpTokenizationSpaces ?? true,
            model.Contains)
    {
        Model = model;
        DoLowerCase = options.DoLowerCase ?? true;
        RemoveSpace = options.RemoveSpace ?? true;
        KeepAccents = options.KeepAccents ?? false;
    }

    public SentencePieceModel Model { get; }

    public bool DoLowerCase { get; }

    public bool RemoveSpace { get; }

    public bool KeepAccents { get; }

    public override int VocabSize => Model.Count;

    public override string IdToToken(int id) => Model.IdToPiece(id);

    public override int TokenToId(string token) => Model.PieceToId(token);

    private protected override void TokenizeChunk(string text, int start, int end, List<TokenSpan> output)
    {
        var t = AlignedText.FromOriginal(text.AsSpan(start, end - start), start);
        if (DoLowerCase)
        {
            // PreTrainedTokenizer.tokenize lower-cases one character at a time (no final-sigma rule)
            t = Lower(t);
        }
        t = Preprocess(t);
        Model.Encode(t, output, albertDigitComma: true);
    }

    /// <summary>The text SentencePiece sees for <paramref name="text"/> (no special-token splitting).</summary>
    public string Preprocess(string text)
    {
        var t = AlignedText.FromOriginal(text, 0);
        return Preprocess(DoLowerCase ? Lower(t) : t).ToString();
    }

    /// <summary>AlbertTokenizer.preprocess_text with alignment.</summary>
    internal AlignedText Preprocess(AlignedText t)
    {
        if (RemoveSpace)
        {
            t = CollapseSpaces(t);
        }
        t = t.ReplacePair('`', '`', '"').ReplacePair('\'', '\'', '"');
        if (!KeepAccents)
        {
            t = StripAccents(t);
        }
        if (DoLowerCase)
        {
            t = Lower(t);
        }
        return t;
    }

    /// <summary><c>" ".join(s.strip().split())</c>; a joining space spans the whitespace run it replaces.</summary>
    private static AlignedText CollapseSpaces(AlignedText t)
    {
        var o = new AlignedText(t.Length);
        var chars = t.Chars;
        int i = 0;
        bool any = false;
        while (i < t.Length)
        {
            if (UnicodeTables.IsPythonSpace(chars[i]))
            {
                int runStart = i;
                while (i < t.Length && UnicodeTables.IsPythonSpace(chars[i]))
                {
                    i++;
                }
                if (any && i < t.Length)
                {
                    o.Append(' ', t.Starts[runStart], t.Ends[i - 1]);
                }
                continue;
            }
            o.Append(chars[i], t.Starts[i], t.Ends[i]);
            any = true;
            i++;
        }
        return o;
    }

    internal static AlignedText StripAccents(AlignedText t)
    {
        var o = new AlignedText(t.Length + 8);
        Span<int> hangul = stackalloc int[3];
        for (int i = 0; i < t.Length;)
        {
            int cp = t.CodePointAt(i, out int w);
            int s = t.Starts[i], e = t.Ends[i + w - 1];
            if (UnicodeTables.TryStripAccents(cp, out var rep, out int hangulCount, hangul))
            {
                if (hangulCount > 0)
                {
                    rep = hangul[..hangulCount];
                }
                foreach (int r in rep)
                {
                    o.AppendCodePoint(r, s, e);
                }
            }
            else
            {
                o.AppendCodePoint(cp, s, e);
            }
            i += w;
        }
        return o;
    }

    /// <summary>Python <c>str.lower()</c> per code point.</summary>
    internal static AlignedText Lower(AlignedText t)
    {
        var o = new AlignedText(t.Length + 2);
        for (int i = 0; i < t.Length;)
        {
            int cp = t.CodePointAt(i, out int w);
            int s = t.Starts[i], e = t.Ends[i + w - 1];
            int n = UnicodeTables.ToLower(cp, out int a, out int b);
            o.AppendCodePoint(a, s, e);
            if (n == 2)
            {
                o.AppendCodePoint(b, s, e);
            }
            i += w;
        }
        return o;
    }

    /// <summary>AlbertTokenizer.convert_tokens_to_string: special tokens verbatim, the rest via sentencepiece.</summary>
    public override string ConvertTokensToString(IReadOnlyList<string> tokens)
    {
        var current = new List<string>();
        var sb = new StringBuilder();
        bool prevIsSpecial = false;
        foreach (string token in tokens)
        {
            if (IsSpecialToken(token))
            {
                if (!prevIsSpecial)
                {
                    sb.Append(' ');
                }
                sb.Append(Model.DecodePieces(current)).Append(token);
                prevIsSpecial = true;
                current.Clear();
            }
            else
            {
                current.Add(token);
                prevIsSpecial = false;
            }
        }
        sb.Append(Model.DecodePieces(current));
        return PythonStrip(sb.ToString());
    }
}
