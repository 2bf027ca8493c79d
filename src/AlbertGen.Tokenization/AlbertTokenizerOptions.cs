namespace AlbertGen.Tokenization;

/// <summary>Which tokenizer file of a model folder to use (<see cref="AlbertTokenizerOptions.Format"/>).</summary>
public enum TokenizerFormat
{
    /// <summary><c>tokenizer.json</c>: HF's fast AlbertTokenizerFast (what AutoTokenizer loads by default).</summary>
    TokenizerJson,

    /// <summary><c>spiece.model</c>: HF's slow AlbertTokenizer.</summary>
    SentencePiece,

    /// <summary><c>vocab.txt</c>: HF's slow BertTokenizer (Chinese ALBERT checkpoints).</summary>
    WordPiece,
}

/// <summary>
/// Overrides for what a model folder's <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c>
/// say (null: keep the file's value, else the HF default for the tokenizer kind).
/// </summary>
public sealed record AlbertTokenizerOptions
{
    /// <summary>HF <c>do_lower_case</c> (default true).</summary>
    public bool? DoLowerCase { get; init; }

    /// <summary>HF AlbertTokenizer <c>remove_space</c> (default true): strip and collapse whitespace.</summary>
    public bool? RemoveSpace { get; init; }

    /// <summary>HF AlbertTokenizer <c>keep_accents</c> (default false).</summary>
    public bool? KeepAccents { get; init; }

    /// <summary>HF BertTokenizer <c>strip_accents</c> (default: follows lower-casing).</summary>
    public bool? StripAccents { get; init; }

    /// <summary>HF BertTokenizer <c>tokenize_chinese_chars</c> (default true).</summary>
    public bool? TokenizeChineseChars { get; init; }

    /// <summary>HF <c>clean_up_tokenization_spaces</c> used by Decode (default true).</summary>
    public bool? CleanUpTokenizationSpaces { get; init; }

    public string? UnkToken { get; init; }

    public string? SepToken { get; init; }

    public string? PadToken { get; init; }

    public string? ClsToken { get; init; }

    public string? MaskToken { get; init; }

    /// <summary>
    /// Which file of a model folder to read (null: <c>tokenizer.json</c> when present, else <c>spiece.model</c>,
    /// else <c>vocab.txt</c>; see docs/tokenizer.md). Not read from the folder's config files.
    /// </summary>
    public TokenizerFormat? Format { get; init; }

    /// <summary>Applies <paramref name="o"/>'s non-null values over this one.</summary>
    public AlbertTokenizerOptions Merge(AlbertTokenizerOptions? o) => o is null ? this : new AlbertTokenizerOptions
    {
        DoLowerCase = o.DoLowerCase ?? DoLowerCase,
        RemoveSpace = o.RemoveSpace ?? RemoveSpace,
        KeepAccents = o.KeepAccents ?? KeepAccents,
        StripAccents = o.StripAccents ?? StripAccents,
        TokenizeChineseChars = o.TokenizeChineseChars ?? TokenizeChineseChars,
        CleanUpTokenizationSpaces = o.CleanUpTokenizationSpaces ?? CleanUpTokenizationSpaces,
        UnkToken = o.UnkToken ?? UnkToken,
        SepToken = o.SepToken ?? SepToken,
        PadToken = o.PadToken ?? PadToken,
        ClsToken = o.ClsToken ?? ClsToken,
        MaskToken = o.MaskToken ?? MaskToken,
        Format = o.Format ?? Format,
    };
}
