using AlbertGen.Tokenization.SentencePiece;
using AlbertGen.Tokenization.Text;
using AlbertGen.Tokenization.WordPiece;

namespace AlbertGen.Tokenization;

/// <summary>
/// ALBERT tokenizer with HF <c>transformers</c> semantics: SentencePiece (<see cref="SentencePieceAlbertTokenizer"/>,
/// HF AlbertTokenizer) or WordPiece (<see cref="WordPieceAlbertTokenizer"/>, HF BertTokenizer, used by the
/// Chinese ALBERT checkpoints). Special tokens written in the text are split out first, as HF's added-token
/// trie does; inputs are built as <c>[CLS] A [SEP]</c> or <c>[CLS] A [SEP] B [SEP]</c>.
/// Instances are immutable and thread-safe.
/// </summary>
public abstract class AlbertTokenizer
{
    private readonly (string Token, bool LStrip, bool RStrip)[] _specials;
    private readonly string[] _missingSpecials;

    /// <param name="inVocabulary">
    /// Whether a token is in the vocabulary. Special tokens that are not are neither split out of text nor
    /// addable: the tokenizer still encodes without special tokens, and asking for one of them throws.
    /// </param>
    /// <param name="addedTokens">Tokens split out of text instead of the five defaults (tokenizer.json's added tokens).</param>
    private protected AlbertTokenizer(string clsToken, string sepToken, string padToken, string unkToken, string maskToken, bool maskLStrip,
        bool cleanUpTokenizationSpaces, Func<string, bool> inVocabulary, IReadOnlyList<(string Token, bool LStrip, bool RStrip)>? addedTokens = null)
    {
        ClsToken = clsToken;
        SepToken = sepToken;
        PadToken = padToken;
        UnkToken = unkToken;
        MaskToken = maskToken;
        CleanUpTokenizationSpaces = cleanUpTokenizationSpaces;
        // HF all_special_tokens order: bos(=cls) eos(=sep) unk sep pad cls mask, de-duplicated
        _specials =
        [
            (clsToken, false, false), (sepToken, false, false), (unkToken, false, false), (padToken, false, false), (maskToken, maskLStrip, false),
        ];
        if (addedTokens is not null)
        {
            _specials = [.. _specials.Where(s => !addedTokens.Any(a => a.Token == s.Token)), .. addedTokens];
        }
        _specials = _specials.DistinctBy(s => s.Token).Where(s => s.Token.Length > 0).ToArray();
        _missingSpecials = _specials.Where(s => !inVocabulary(s.Token)).Select(s => s.Token).ToArray();
        _specials = _specials.Where(s => inVocabulary(s.Token)).ToArray();
    }

    public string ClsToken { get; }

    public string SepToken { get; }

    public string PadToken { get; }

    public string UnkToken { get; }

    public string MaskToken { get; }

    public bool CleanUpTokenizationSpaces { get; }

    /// <summary>The id of <see cref="ClsToken"/>; throws <see cref="TokenizerException"/> when the vocabulary has none.</summary>
    public int ClsTokenId => SpecialTokenId(ClsToken);

    /// <summary>The id of <see cref="SepToken"/>; throws <see cref="TokenizerException"/> when the vocabulary has none.</summary>
    public int SepTokenId => SpecialTokenId(SepToken);

    /// <summary>The id of <see cref="PadToken"/>; throws <see cref="TokenizerException"/> when the vocabulary has none.</summary>
    public int PadTokenId => SpecialTokenId(PadToken);

    /// <summary>The id of <see cref="UnkToken"/> (the model's own unknown piece when the name is not in the vocabulary).</summary>
    public int UnkTokenId => TokenToId(UnkToken);

    /// <summary>The id of <see cref="MaskToken"/>; throws <see cref="TokenizerException"/> when the vocabulary has none.</summary>
    public int MaskTokenId => SpecialTokenId(MaskToken);

    /// <summary>The special tokens split out of text and dropped by <c>Decode(skipSpecialTokens: true)</c>.</summary>
    public IReadOnlyList<string> SpecialTokens => _specials.Select(s => s.Token).ToArray();

    /// <summary>
    /// Special tokens (of [CLS], [SEP], &lt;unk&gt;, &lt;pad&gt;, [MASK] or their configured names) that the vocabulary
    /// lacks: text is still tokenized, but without adding special tokens (<c>addSpecialTokens: false</c>).
    /// </summary>
    public IReadOnlyList<string> MissingSpecialTokens => _missingSpecials;

    private int SpecialTokenId(string token)
    {
        if (Array.IndexOf(_missingSpecials, token) >= 0)
        {
            throw new TokenizerException(
                $"the vocabulary has no '{token}' token (missing: {string.Join(", ", _missingSpecials)}); "
                + "encode without special tokens (addSpecialTokens: false, tokenize --no-special) or name the model's own tokens in tokenizer_config.json");
        }
        return TokenToId(token);
    }

    public abstract int VocabSize { get; }

    public abstract string IdToToken(int id);

    /// <summary>The id of <paramref name="token"/>, or the unknown token's id.</summary>
    public abstract int TokenToId(string token);

    /// <summary>
    /// Picks the tokenizer a model folder holds, with <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c>
    /// when present and <paramref name="overrides"/> over both. Without <see cref="AlbertTokenizerOptions.Format"/>:
    /// <c>tokenizer.json</c> (HF's fast tokenizer, AutoTokenizer's default) when present, unless its model is not Unigram
    /// and the folder has another file; else <c>spiece.model</c> (HF's slow AlbertTokenizer); else <c>vocab.txt</c> (WordPiece).
    /// </summary>
    public static AlbertTokenizer FromModelDirectory(string directory, AlbertTokenizerOptions? overrides = null)
    {
        if (!Directory.Exists(directory))
        {
            throw new TokenizerException($"model folder '{directory}' does not exist");
        }
        var options = TokenizerConfigFiles.Read(directory).Merge(overrides);
        string json = Path.Combine(directory, "tokenizer.json");
        string spm = Path.Combine(directory, "spiece.model");
        string vocab = Path.Combine(directory, "vocab.txt");
        var format = options.Format;
        if (format is null)
        {
            if (File.Exists(json) && (TokenizerJson.TokenizerJsonFile.PeekModelType(json) == "Unigram" || !(File.Exists(spm) || File.Exists(vocab))))
            {
                format = TokenizerFormat.TokenizerJson;
            }
            else if (File.Exists(spm))
            {
                format = TokenizerFormat.SentencePiece;
            }
            else if (File.Exists(vocab))
            {
                format = TokenizerFormat.WordPiece;
            }
            else
            {
                throw new TokenizerException(
                    $"no tokenizer: expected spiece.model, tokenizer.json or vocab.txt in {directory} (found: {DescribeFolder(directory)})");
            }
        }
        string file = format switch
        {
            TokenizerFormat.TokenizerJson => json,
            TokenizerFormat.SentencePiece => spm,
            _ => vocab,
        };
        if (!File.Exists(file))
        {
            throw new TokenizerException(
                $"tokenizer format {format} asks for {Path.GetFileName(file)}, which {directory} does not have (found: {DescribeFolder(directory)})");
        }
        if (format == TokenizerFormat.TokenizerJson && File.Exists(spm))
        {
            try
            {
                return FastAlbertTokenizer.Load(file, options);
            }
            catch (TokenizerException e)
            {
                throw new TokenizerException($"{e.Message}; {directory} also has spiece.model: pick it with Format = SentencePiece (tokenize --tokenizer-format spm)", e);
            }
        }
        return format switch
        {
            TokenizerFormat.TokenizerJson => FastAlbertTokenizer.Load(file, options),
            TokenizerFormat.SentencePiece => new SentencePieceAlbertTokenizer(SentencePieceModel.Load(file), options),
            _ => new WordPieceAlbertTokenizer(WordPieceVocab.Load(file), options),
        };
    }

    /// <summary>
    /// <see cref="FromModelDirectory"/> over a model folder's files held in memory, by file name (e.g. the files a packed
    /// model image embedded in an executable carries, D37): the same choice of format and the same options files.
    /// </summary>
    /// <param name="files">file name (<c>spiece.model</c>, <c>tokenizer.json</c>, <c>vocab.txt</c>, <c>tokenizer_config.json</c>, …) → bytes.</param>
    /// <param name="source">where the files come from, for error messages.</param>
    public static AlbertTokenizer FromModelFiles(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> files, string source, AlbertTokenizerOptions? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(source);
        var options = TokenizerConfigFiles.Read(files, source).Merge(overrides);
        bool json = files.TryGetValue("tokenizer.json", out var jsonBytes);
        bool spm = files.TryGetValue("spiece.model", out var spmBytes);
        bool vocab = files.TryGetValue("vocab.txt", out var vocabBytes);
        var format = options.Format;
        if (format is null)
        {
            format = json && (TokenizerJson.TokenizerJsonFile.PeekModelType(jsonBytes) == "Unigram" || !(spm || vocab)) ? TokenizerFormat.TokenizerJson
                : spm ? TokenizerFormat.SentencePiece
                : vocab ? TokenizerFormat.WordPiece
                : throw new TokenizerException($"no tokenizer: expected spiece.model, tokenizer.json or vocab.txt in {source} (found: {(files.Count == 0 ? "nothing" : string.Join(", ", files.Keys.Order(StringComparer.Ordinal)))})");
        }
        string name = format switch
        {
            TokenizerFormat.TokenizerJson => "tokenizer.json",
            TokenizerFormat.SentencePiece => "spiece.model",
            _ => "vocab.txt",
        };
        if (!files.TryGetValue(name, out var bytes))
        {
            throw new TokenizerException($"tokenizer format {format} asks for {name}, which {source} does not have");
        }
        try
        {
            return format switch
            {
                TokenizerFormat.TokenizerJson => new FastAlbertTokenizer(TokenizerJson.TokenizerJsonFile.Parse(bytes.Span), options),
                TokenizerFormat.SentencePiece => new SentencePieceAlbertTokenizer(SentencePieceModel.FromBytes(bytes.Span), options),
                _ => new WordPieceAlbertTokenizer(WordPieceVocab.FromText(System.Text.Encoding.UTF8.GetString(bytes.Span)), options),
            };
        }
        catch (TokenizerException e)
        {
            throw new TokenizerException($"{source}/{name}: {e.Message}", e);
        }
    }

    /// <summary>The folder's file names, for error messages ("nothing" when empty, at most 12).</summary>
    private static string DescribeFolder(string directory)
    {
        var names = Directory.EnumerateFileSystemEntries(directory).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            return "nothing";
        }
        return names.Count <= 12 ? string.Join(", ", names) : string.Join(", ", names.Take(12)) + $", … ({names.Count} entries)";
    }

    /// <summary>The files a model folder's tokenizer consists of (those present are used).</summary>
    public static readonly IReadOnlyList<string> FileNames = ["spiece.model", "tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"];

    /// <summary>Copies a folder's tokenizer files into another (e.g. a trained model's output, to make it a complete HF folder).</summary>
    public static void CopyFiles(string fromDirectory, string toDirectory)
    {
        if (!Directory.Exists(fromDirectory) || Path.GetFullPath(fromDirectory) == Path.GetFullPath(toDirectory)) return;
        foreach (var name in FileNames)
        {
            string src = Path.Combine(fromDirectory, name);
            if (File.Exists(src)) File.Copy(src, Path.Combine(toDirectory, name), overwrite: true);
        }
    }

    /// <summary>A SentencePiece ALBERT tokenizer from a <c>spiece.model</c> file.</summary>
    public static SentencePieceAlbertTokenizer FromSentencePiece(string modelPath, AlbertTokenizerOptions? options = null) =>
        new(SentencePieceModel.Load(modelPath), options ?? new AlbertTokenizerOptions());

    /// <summary>HF's fast AlbertTokenizerFast from a <c>tokenizer.json</c> file (Unigram model).</summary>
    public static FastAlbertTokenizer FromTokenizerJson(string path, AlbertTokenizerOptions? options = null) =>
        FastAlbertTokenizer.Load(path, options);

    /// <summary>A WordPiece (BERT-style, Chinese ALBERT) tokenizer from a <c>vocab.txt</c> file.</summary>
    public static WordPieceAlbertTokenizer FromVocab(string vocabPath, AlbertTokenizerOptions? options = null) =>
        new(WordPieceVocab.Load(vocabPath), options ?? new AlbertTokenizerOptions());

    /// <summary>HF <c>tokenize(text)</c>: the pieces, no special tokens added.</summary>
    public IReadOnlyList<string> Tokenize(string text) => TokenizeToSpans(text).Select(t => t.Piece).ToArray();

    /// <summary>Tokens of <paramref name="text"/> with ids and offsets, no special tokens added.</summary>
    public IReadOnlyList<TokenSpan> TokenizeToSpans(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new List<TokenSpan>();
        var chunks = SplitOnSpecialTokens(text);
        foreach (var (start, end, special) in chunks)
        {
            if (special is not null)
            {
                // HF fast tokenizers: the token's value is the text it covers, stripped whitespace included
                string piece = StrippedSpaceInAddedTokenSpan ? text[start..end] : special;
                output.Add(new TokenSpan(piece, TokenToId(special), start, end));
            }
            else if (end > start)
            {
                TokenizeChunk(text, start, end, output);
            }
        }
        return output;
    }

    /// <summary>Tokenizes text[start, end) (no special tokens inside), appending tokens with original offsets.</summary>
    private protected abstract void TokenizeChunk(string text, int start, int end, List<TokenSpan> output);

    /// <summary>
    /// HF <c>tokenizer(text, pair, add_special_tokens, max_length, truncation)</c> without padding.
    /// Truncation applies only when <paramref name="maxLength"/> is set; as in HF, a strategy that cannot
    /// reach <paramref name="maxLength"/> (e.g. OnlyFirst with a too-short first text) leaves the input as is.
    /// </summary>
    public AlbertEncoding Encode(string text, string? pair = null, bool addSpecialTokens = true, int? maxLength = null,
        TruncationStrategy truncation = TruncationStrategy.LongestFirst)
    {
        if (maxLength is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be >= 0");
        }
        var a = TokenizeToSpans(text);
        var b = pair is null ? null : TokenizeToSpans(pair);
        int specials = addSpecialTokens ? (b is null ? 2 : 3) : 0;
        int aLen = a.Count, bLen = b?.Count ?? 0;
        if (maxLength is int max && truncation != TruncationStrategy.DoNotTruncate)
        {
            int remove = aLen + bLen + specials - max;
            if (remove > 0)
            {
                if (truncation == TruncationStrategy.OnlyFirst || (truncation == TruncationStrategy.LongestFirst && b is null))
                {
                    if (aLen > remove)
                    {
                        aLen -= remove;
                    }
                }
                else if (truncation == TruncationStrategy.LongestFirst)
                {
                    for (int i = 0; i < remove; i++)
                    {
                        // Python: ids = ids[:-1] on an empty list is a no-op
                        if (aLen > bLen)
                        {
                            aLen--;
                        }
                        else if (bLen > 0)
                        {
                            bLen--;
                        }
                    }
                }
                else if (truncation == TruncationStrategy.OnlySecond && b is not null && bLen > remove)
                {
                    bLen -= remove;
                }
            }
        }

        int n = aLen + bLen + specials;
        var ids = new int[n];
        var pieces = new string[n];
        var types = new int[n];
        var mask = new int[n];
        var offsets = new (int, int)[n];
        var special = new int[n];
        Array.Fill(mask, 1);
        int k = 0;
        void AddSpecial(string token, int type)
        {
            ids[k] = SpecialTokenId(token);
            pieces[k] = token;
            types[k] = type;
            special[k] = 1;
            k++;
        }
        void AddTokens(IReadOnlyList<TokenSpan> tokens, int count, int type)
        {
            for (int i = 0; i < count; i++)
            {
                var t = tokens[i];
                ids[k] = t.Id;
                pieces[k] = t.Piece;
                offsets[k] = (t.Start, t.End);
                types[k] = type;
                k++;
            }
        }
        if (addSpecialTokens)
        {
            AddSpecial(ClsToken, 0);
        }
        AddTokens(a, aLen, 0);
        if (addSpecialTokens)
        {
            AddSpecial(SepToken, 0);
        }
        if (b is not null)
        {
            AddTokens(b, bLen, 1);
            if (addSpecialTokens)
            {
                AddSpecial(SepToken, 1);
            }
        }
        return new AlbertEncoding(ids, pieces, types, mask, offsets, special);
    }

    /// <summary>
    /// Encodes a batch (texts[i] with pairs?[i]) and pads on the right: ids with the pad id, attention
    /// mask 0, token type 0, offsets (0, 0). <see cref="PaddingStrategy.MaxLength"/> needs <paramref name="maxLength"/>.
    /// </summary>
    public IReadOnlyList<AlbertEncoding> EncodeBatch(IReadOnlyList<string> texts, IReadOnlyList<string?>? pairs = null,
        bool addSpecialTokens = true, int? maxLength = null, TruncationStrategy truncation = TruncationStrategy.LongestFirst,
        PaddingStrategy padding = PaddingStrategy.Longest)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (pairs is not null && pairs.Count != texts.Count)
        {
            throw new ArgumentException($"{pairs.Count} pairs for {texts.Count} texts", nameof(pairs));
        }
        if (padding == PaddingStrategy.MaxLength && maxLength is null)
        {
            throw new ArgumentException("PaddingStrategy.MaxLength needs maxLength", nameof(padding));
        }
        var encodings = new AlbertEncoding[texts.Count];
        for (int i = 0; i < encodings.Length; i++)
        {
            encodings[i] = Encode(texts[i], pairs?[i], addSpecialTokens, maxLength, truncation);
        }
        int target = padding switch
        {
            PaddingStrategy.Longest => encodings.Length == 0 ? 0 : encodings.Max(e => e.Length),
            PaddingStrategy.MaxLength => maxLength!.Value,
            _ => 0,
        };
        for (int i = 0; i < encodings.Length; i++)
        {
            encodings[i] = Pad(encodings[i], target);
        }
        return encodings;
    }

    private AlbertEncoding Pad(AlbertEncoding e, int length)
    {
        if (e.Length >= length)
        {
            return e;
        }
        int n = e.Length;
        var ids = e.Ids.AsSpan().ToArray();
        Array.Resize(ref ids, length);
        Array.Fill(ids, PadTokenId, n, length - n);
        var pieces = e.Pieces.AsSpan().ToArray();
        Array.Resize(ref pieces, length);
        Array.Fill(pieces, PadToken, n, length - n);
        var types = e.TokenTypeIds.AsSpan().ToArray();
        Array.Resize(ref types, length);
        var mask = e.AttentionMask.AsSpan().ToArray();
        Array.Resize(ref mask, length);
        var offsets = e.Offsets.AsSpan().ToArray();
        Array.Resize(ref offsets, length);
        var special = e.SpecialTokensMask.AsSpan().ToArray();
        Array.Resize(ref special, length);
        Array.Fill(special, 1, n, length - n);
        return new AlbertEncoding(ids, pieces, types, mask, offsets, special);
    }

    /// <summary>
    /// HF <c>decode(ids, skip_special_tokens)</c>: special tokens stay verbatim (unless skipped), the rest
    /// is joined back into text; with <see cref="CleanUpTokenizationSpaces"/> " ." → "." etc.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var tokens = new List<string>(ids.Length);
        var specialIds = new HashSet<int>(_specials.Select(s => TokenToId(s.Token)));
        foreach (int id in ids)
        {
            if (id < 0 || id >= VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, "id outside the vocabulary");
            }
            if (skipSpecialTokens && specialIds.Contains(id))
            {
                continue;
            }
            tokens.Add(IdToToken(id));
        }
        string text = ConvertTokensToString(tokens);
        return CleanUpTokenizationSpaces ? CleanUp(text) : text;
    }

    private protected bool IsSpecialToken(string token) => _specials.Any(s => s.Token == token);

    /// <summary>Whether an added token's span takes the whitespace its lstrip/rstrip removed (HF fast tokenizers' offsets).</summary>
    private protected virtual bool StrippedSpaceInAddedTokenSpan => false;

    /// <summary>
    /// HF <c>convert_tokens_to_string</c>: pieces back into text (special tokens verbatim, no clean-up of spaces), as
    /// the token-classification pipeline builds an entity group's word.
    /// </summary>
    public abstract string ConvertTokensToString(IReadOnlyList<string> tokens);

    /// <summary>HF <c>clean_up_tokenization</c>.</summary>
    public static string CleanUp(string text) => text
        .Replace(" .", ".", StringComparison.Ordinal)
        .Replace(" ?", "?", StringComparison.Ordinal)
        .Replace(" !", "!", StringComparison.Ordinal)
        .Replace(" ,", ",", StringComparison.Ordinal)
        .Replace(" ' ", "'", StringComparison.Ordinal)
        .Replace(" n't", "n't", StringComparison.Ordinal)
        .Replace(" 'm", "'m", StringComparison.Ordinal)
        .Replace(" 's", "'s", StringComparison.Ordinal)
        .Replace(" 've", "'ve", StringComparison.Ordinal)
        .Replace(" 're", "'re", StringComparison.Ordinal);

    /// <summary>Python <c>str.strip()</c> (Unicode whitespace).</summary>
    internal static string PythonStrip(string s)
    {
        int a = 0, b = s.Length;
        while (a < b && UnicodeTables.IsPythonSpace(s[a]))
        {
            a++;
        }
        while (b > a && UnicodeTables.IsPythonSpace(s[b - 1]))
        {
            b--;
        }
        return s[a..b];
    }

    /// <summary>
    /// HF added-token split: leftmost-longest occurrences of the special tokens; a token with lstrip
    /// ([MASK] for AlbertTokenizer) takes the whitespace before it, one with rstrip the whitespace after.
    /// </summary>
    private List<(int Start, int End, string? Special)> SplitOnSpecialTokens(string text)
    {
        var chunks = new List<(int Start, int End, string? Special)>();
        int chunkStart = 0;
        for (int i = 0; i < text.Length;)
        {
            int best = -1;
            for (int s = 0; s < _specials.Length; s++)
            {
                string t = _specials[s].Token;
                if (string.CompareOrdinal(text, i, t, 0, t.Length) == 0 && (best < 0 || t.Length > _specials[best].Token.Length))
                {
                    best = s;
                }
            }
            if (best < 0)
            {
                i++;
                continue;
            }
            if (i > chunkStart)
            {
                chunks.Add((chunkStart, i, null));
            }
            chunks.Add((i, i + _specials[best].Token.Length, _specials[best].Token));
            i += _specials[best].Token.Length;
            chunkStart = i;
        }
        if (chunkStart < text.Length)
        {
            chunks.Add((chunkStart, text.Length, null));
        }
        for (int c = 0; c < chunks.Count; c++)
        {
            if (chunks[c].Special is not string token)
            {
                continue;
            }
            var spec = Array.Find(_specials, s => s.Token == token);
            if (spec.LStrip && c > 0 && chunks[c - 1].Special is null)
            {
                var (s0, e0, _) = chunks[c - 1];
                while (e0 > s0 && UnicodeTables.IsPythonSpace(text[e0 - 1]))
                {
                    e0--;
                }
                chunks[c - 1] = (s0, e0, null);
                if (StrippedSpaceInAddedTokenSpan)
                {
                    chunks[c] = (e0, chunks[c].End, token);
                }
            }
            if (spec.RStrip && c + 1 < chunks.Count && chunks[c + 1].Special is null)
            {
                var (s1, e1, _) = chunks[c + 1];
                while (s1 < e1 && UnicodeTables.IsPythonSpace(text[s1]))
                {
                    s1++;
                }
                chunks[c + 1] = (s1, e1, null);
                if (StrippedSpaceInAddedTokenSpan)
                {
                    chunks[c] = (chunks[c].Start, s1, token);
                }
            }
        }
        return chunks;
    }
}
