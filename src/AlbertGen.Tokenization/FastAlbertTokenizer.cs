using System.Text;
using AlbertGen.Tokenization.Text;
using AlbertGen.Tokenization.TokenizerJson;

namespace AlbertGen.Tokenization;

/// <summary>
/// HF's fast <c>AlbertTokenizerFast</c> from a <c>tokenizer.json</c> (HF tokenizers' pipeline as transformers'
/// AlbertConverter builds it): added tokens split out of the text, the normalizer sequence (Replace, NFKD +
/// StripAccents, Lowercase, Precompiled charsmap, Replace " {2,}"), Metaspace (" " → "▁", prepended, split before
/// each "▁"), Unigram per word in double precision, <c>[CLS] A [SEP] (B [SEP])</c>, Metaspace decoding.
/// Where the fast tokenizer differs from the slow one it behaves as the fast one: pieces ending in a digit and a
/// comma score −100 in the file instead of being re-split, leading and trailing spaces are not stripped, and an
/// offset covers a token's "▁" (the space before a word).
/// </summary>
public sealed class FastAlbertTokenizer : AlbertTokenizer
{
    private readonly TokenizerJsonFile _file;

    internal FastAlbertTokenizer(TokenizerJsonFile file, AlbertTokenizerOptions options)
        : base(file.ClsToken ?? options.ClsToken ?? "[CLS]", file.SepToken ?? options.SepToken ?? "[SEP]", options.PadToken ?? "<pad>",
            options.UnkToken ?? (file.Model.UnkId is int u ? file.Model.IdToPiece(u) : "<unk>"), options.MaskToken ?? "[MASK]",
            maskLStrip: true, options.CleanUpTokenizationSpaces ?? true, t => file.Model.TryGetId(t, out _),
            file.AddedTokens.Count == 0 ? null : file.AddedTokens.Select(a => (a.Content, a.LStrip, a.RStrip)).ToArray())
    {
        _file = file;
    }

    /// <summary>Loads <paramref name="path"/> (an HF <c>tokenizer.json</c> with a Unigram model).</summary>
    public static FastAlbertTokenizer Load(string path, AlbertTokenizerOptions? options = null) =>
        new(TokenizerJsonFile.Load(path), options ?? new AlbertTokenizerOptions());

    public override int VocabSize => _file.Model.Count;

    public override string IdToToken(int id) => (uint)id < (uint)_file.Model.Count
        ? _file.Model.IdToPiece(id)
        : throw new ArgumentOutOfRangeException(nameof(id), id, "id outside the vocabulary");

    public override int TokenToId(string token) =>
        _file.Model.TryGetId(token, out int id) ? id : _file.Model.UnkId ?? throw new TokenizerException($"'{token}' is not in the vocabulary and the model has no unk_id");

    private protected override bool StrippedSpaceInAddedTokenSpan => true;

    private protected override void TokenizeChunk(string text, int start, int end, List<TokenSpan> output)
    {
        var t = AlignedText.FromOriginal(text.AsSpan(start, end - start), start);
        foreach (var step in _file.Normalizers)
        {
            t = step(t);
        }
        if (!_file.WhitespaceSplit)
        {
            Metaspace(t, first: start == 0, output);
            return;
        }
        // WhitespaceSplit (Rust char::is_whitespace) first: each word then gets its own Metaspace
        var chars = t.Chars;
        bool firstWord = start == 0;
        for (int i = 0; i < t.Length;)
        {
            if (char.IsWhiteSpace(chars[i]))
            {
                i++;
                continue;
            }
            int from = i;
            while (i < t.Length && !char.IsWhiteSpace(chars[i]))
            {
                i++;
            }
            var word = new AlignedText(i - from);
            for (int k = from; k < i; k++)
            {
                word.Append(chars[k], t.Starts[k], t.Ends[k]);
            }
            Metaspace(word, firstWord, output);
            firstWord = false;
        }
    }

    /// <summary>Metaspace pre-tokenizer then the model on each word it makes.</summary>
    private void Metaspace(AlignedText t, bool first, List<TokenSpan> output)
    {
        if (t.Length == 0)
        {
            return;
        }
        // every ' ' becomes the replacement, which is prepended (with the first char's span) unless there
        string rep = _file.Replacement;
        var m = new AlignedText(t.Length + rep.Length);
        bool prepend = _file.PrependScheme == "always" || (_file.PrependScheme == "first" && first);
        if (prepend && t.Chars[0] != ' ' && !t.ToString().StartsWith(rep, StringComparison.Ordinal))
        {
            foreach (char c in rep)
            {
                m.Append(c, t.Starts[0], t.Ends[0]);
            }
        }
        var chars = t.Chars;
        for (int i = 0; i < t.Length; i++)
        {
            if (chars[i] == ' ')
            {
                foreach (char c in rep)
                {
                    m.Append(c, t.Starts[i], t.Ends[i]);
                }
            }
            else
            {
                m.Append(chars[i], t.Starts[i], t.Ends[i]);
            }
        }
        // split before each replacement (MergedWithNext: "a▁▁b" → "a", "▁", "▁b"), then the model per word
        string s = m.ToString();
        int wordStart = 0;
        while (_file.Split && rep.Length > 0)
        {
            int next = s.IndexOf(rep, wordStart + 1, StringComparison.Ordinal);
            if (next < 0)
            {
                break;
            }
            EncodeWord(m, wordStart, next, output);
            wordStart = next;
        }
        EncodeWord(m, wordStart, s.Length, output);
    }

    private void EncodeWord(AlignedText m, int from, int to, List<TokenSpan> output)
    {
        if (to <= from)
        {
            return;
        }
        var chars = m.Chars;
        var bytes = new List<byte>((to - from) * 3);
        var byteChar = new List<int>((to - from) * 3);
        Span<byte> buf = stackalloc byte[4];
        for (int i = from; i < to;)
        {
            int cp = m.CodePointAt(i, out int w);
            if (cp is >= 0xD800 and <= 0xDFFF)
            {
                cp = 0xFFFD;
            }
            int n = new Rune(cp).EncodeToUtf8(buf);
            for (int k = 0; k < n; k++)
            {
                bytes.Add(buf[k]);
                byteChar.Add(i);
            }
            i += w;
        }
        var tokens = new List<(int Id, string Value, int Start, int End)>();
        _file.Model.Tokenize(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes), tokens);
        foreach (var (id, value, s, e) in tokens)
        {
            int first = byteChar[s], last = byteChar[e - 1];
            m.CodePointAt(last, out int lw);
            output.Add(new TokenSpan(value, id, m.Starts[first], m.Ends[last + lw - 1]));
        }
    }

    /// <summary>HF tokenizers' Metaspace decoder (every "▁" of the first token dropped, the others become spaces).</summary>
    public override string ConvertTokensToString(IReadOnlyList<string> tokens)
    {
        if (_file.DecoderReplacement is not string rep)
        {
            return string.Join(' ', tokens);
        }
        var sb = new StringBuilder();
        for (int i = 0; i < tokens.Count; i++)
        {
            string replaced = i == 0 && _file.DecoderPrependScheme != "never"
                ? tokens[i].Replace(rep, "", StringComparison.Ordinal)
                : tokens[i].Replace(rep, " ", StringComparison.Ordinal);
            sb.Append(replaced);
        }
        return sb.ToString();
    }
}
