using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlbertGen.Json;
using AlbertGen.Tokenization.SentencePiece;
using AlbertGen.Tokenization.Text;

namespace AlbertGen.Tokenization.TokenizerJson;

/// <summary>One added token of <c>tokenizer.json</c> (<c>added_tokens</c>).</summary>
internal sealed record AddedTokenSpec(int Id, string Content, bool LStrip, bool RStrip, bool Special);

/// <summary>
/// The parts of an HF <c>tokenizer.json</c> that ALBERT's fast tokenizer (transformers' AlbertConverter) uses:
/// a Unigram model, a normalizer sequence (Replace, NFKD + StripAccents, Lowercase, Precompiled), a Metaspace
/// pre-tokenizer and decoder, a TemplateProcessing post-processor of the shape <c>[CLS] $A [SEP] ($B [SEP])</c>,
/// and added tokens. Anything else is refused with a message naming it.
/// </summary>
internal sealed class TokenizerJsonFile
{
    private TokenizerJsonFile(UnigramModel model, List<Func<AlignedText, AlignedText>> normalizers, string metaspace, string prependScheme,
        bool split, string? decoderReplacement, string decoderPrependScheme, List<AddedTokenSpec> addedTokens, string? cls, string? sep)
    {
        Model = model;
        Normalizers = normalizers;
        Replacement = metaspace;
        PrependScheme = prependScheme;
        Split = split;
        DecoderReplacement = decoderReplacement;
        DecoderPrependScheme = decoderPrependScheme;
        AddedTokens = addedTokens;
        ClsToken = cls;
        SepToken = sep;
    }

    public UnigramModel Model { get; }

    public IReadOnlyList<Func<AlignedText, AlignedText>> Normalizers { get; }

    /// <summary>Metaspace replacement (▁).</summary>
    public string Replacement { get; }

    /// <summary>always, first or never.</summary>
    public string PrependScheme { get; }

    public bool Split { get; }

    /// <summary>A WhitespaceSplit before the Metaspace (older files): words split at whitespace, each prepended.</summary>
    public bool WhitespaceSplit { get; private init; }

    public string? DecoderReplacement { get; }

    public string DecoderPrependScheme { get; }

    public IReadOnlyList<AddedTokenSpec> AddedTokens { get; }

    public string? ClsToken { get; }

    public string? SepToken { get; }

    public static TokenizerJsonFile Load(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerException($"cannot read {path}: {e.Message}", e);
        }
        try
        {
            return Parse(data);
        }
        catch (TokenizerException e)
        {
            throw new TokenizerException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The <c>model.type</c> of a tokenizer.json ("" when it cannot be read).</summary>
    public static string PeekModelType(string path)
    {
        try
        {
            return PeekModelType(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The <c>model.type</c> of a tokenizer.json's bytes ("" when it cannot be read).</summary>
    public static string PeekModelType(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            using var doc = StrictJson.Parse(utf8, default, static (key, message, inner) => inner is null ? new TokenizerException(message) : new TokenizerException(message, inner));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("model", out var m)
                && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()! : "";
        }
        catch (Exception e) when (e is TokenizerException or IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    public static TokenizerJsonFile Parse(ReadOnlySpan<byte> json)
    {
        // strings are checked once, up front (invalid UTF-8, a lone surrogate escape): a TokenizerException naming the key
        var doc = StrictJson.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 64 },
            static (key, message, inner) =>
            {
                string text = key is null ? $"not valid JSON: {message}" : $"not valid JSON: '{key}': {message}";
                return inner is null ? new TokenizerException(text) : new TokenizerException(text, inner);
            });
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TokenizerException("expected a JSON object");
            }
            var model = ParseModel(Get(root, "model"));
            var normalizers = new List<Func<AlignedText, AlignedText>>();
            if (root.TryGetProperty("normalizer", out var n) && n.ValueKind != JsonValueKind.Null)
            {
                ParseNormalizer(n, normalizers);
            }
            // Sequence[WhitespaceSplit, Metaspace] is what older transformers' SpmConverter wrote (hub files from 2020)
            var pre = Get(root, "pre_tokenizer");
            bool whitespaceSplit = false;
            if (TypeOf(pre) == "Sequence")
            {
                var parts = Get(pre, "pretokenizers").EnumerateArray().ToArray();
                if (parts.Length != 2 || TypeOf(parts[0]) != "WhitespaceSplit" || TypeOf(parts[1]) != "Metaspace")
                {
                    throw new TokenizerException(
                        $"pre_tokenizer Sequence [{string.Join(", ", parts.Select(TypeOf))}] is not supported (Metaspace, or WhitespaceSplit then Metaspace)");
                }
                pre = parts[1];
                whitespaceSplit = true;
            }
            var (replacement, prepend, split) = ParseMetaspace(pre, "pre_tokenizer");
            string? decoderReplacement = null;
            string decoderPrepend = "always";
            if (root.TryGetProperty("decoder", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                (decoderReplacement, decoderPrepend, _) = ParseMetaspace(d, "decoder");
            }
            var added = new List<AddedTokenSpec>();
            if (root.TryGetProperty("added_tokens", out var at) && at.ValueKind == JsonValueKind.Array)
            {
                foreach (var a in at.EnumerateArray())
                {
                    added.Add(new AddedTokenSpec(Get(a, "id").GetInt32(), Get(a, "content").GetString() ?? "",
                        Bool(a, "lstrip"), Bool(a, "rstrip"), Bool(a, "special")));
                }
            }
            var (cls, sep) = ParseTemplate(root);
            return new TokenizerJsonFile(model, normalizers, replacement, prepend, split, decoderReplacement, decoderPrepend, added, cls, sep)
            {
                WhitespaceSplit = whitespaceSplit,
            };
        }
    }

    private static JsonElement Get(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : throw new TokenizerException($"missing \"{name}\"");

    private static bool Bool(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static string TypeOf(JsonElement e) => Get(e, "type").GetString() ?? "";

    private static UnigramModel ParseModel(JsonElement m)
    {
        string type = m.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        if (type != "Unigram")
        {
            throw new TokenizerException($"model type \"{type}\" is not supported (only Unigram, as ALBERT's fast tokenizer has)");
        }
        var vocab = new List<(string, double)>();
        foreach (var entry in Get(m, "vocab").EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2)
            {
                throw new TokenizerException("Unigram vocab entries must be [piece, score]");
            }
            vocab.Add((entry[0].GetString() ?? "", entry[1].GetDouble()));
        }
        int? unk = m.TryGetProperty("unk_id", out var u) && u.ValueKind == JsonValueKind.Number ? u.GetInt32() : null;
        return new UnigramModel(vocab, unk, Bool(m, "byte_fallback"));
    }

    private static void ParseNormalizer(JsonElement n, List<Func<AlignedText, AlignedText>> steps)
    {
        string type = TypeOf(n);
        switch (type)
        {
            case "Sequence":
                var list = Get(n, "normalizers").EnumerateArray().ToArray();
                for (int i = 0; i < list.Length; i++)
                {
                    if (TypeOf(list[i]) == "NFKD")
                    {
                        // NFKD then StripAccents is what AlbertConverter writes: done per code point, as the slow path
                        if (i + 1 >= list.Length || TypeOf(list[i + 1]) != "StripAccents")
                        {
                            throw new TokenizerException("normalizer NFKD is supported only when StripAccents follows it");
                        }
                        steps.Add(NfkdStripMarks);
                        i++;
                        continue;
                    }
                    ParseNormalizer(list[i], steps);
                }
                break;
            case "Lowercase":
                steps.Add(SentencePieceAlbertTokenizer.Lower);
                break;
            case "Replace":
                var pattern = Get(n, "pattern");
                string content = Get(n, "content").GetString() ?? "";
                if (pattern.TryGetProperty("String", out var s))
                {
                    string literal = s.GetString() ?? "";
                    steps.Add(t => Replace(t, text => StringMatches(text, literal), content));
                }
                else if (pattern.TryGetProperty("Regex", out var r))
                {
                    var regex = new Regex(r.GetString() ?? "", RegexOptions.CultureInvariant);
                    steps.Add(t => Replace(t, text => regex.Matches(text).Select(m => (m.Index, m.Length)), content));
                }
                else
                {
                    throw new TokenizerException("Replace pattern must be {\"String\": …} or {\"Regex\": …}");
                }
                break;
            case "Precompiled":
                string b64 = Get(n, "precompiled_charsmap").GetString() ?? "";
                if (b64.Length > 0)
                {
                    var map = new PrecompiledCharsMap(Convert.FromBase64String(b64));
                    steps.Add(t => Precompiled(t, map));
                }
                break;
            default:
                throw new TokenizerException($"normalizer \"{type}\" is not supported (ALBERT's are Replace, NFKD + StripAccents, Lowercase, Precompiled)");
        }
    }

    private static (string Replacement, string PrependScheme, bool Split) ParseMetaspace(JsonElement p, string key)
    {
        string type = TypeOf(p);
        if (type != "Metaspace")
        {
            throw new TokenizerException($"{key} \"{type}\" is not supported (only Metaspace, as ALBERT's fast tokenizer has)");
        }
        string replacement = p.TryGetProperty("replacement", out var r) ? r.GetString() ?? "\u2581" : "\u2581";
        string scheme = p.TryGetProperty("prepend_scheme", out var ps) && ps.ValueKind == JsonValueKind.String ? ps.GetString()!
            : p.TryGetProperty("add_prefix_space", out var aps) && aps.ValueKind == JsonValueKind.False ? "never" : "always";
        if (scheme is not ("always" or "first" or "never"))
        {
            throw new TokenizerException($"{key}: prepend_scheme \"{scheme}\" is not one of always, first, never");
        }
        bool split = !p.TryGetProperty("split", out var sp) || sp.ValueKind != JsonValueKind.False;
        return (replacement, scheme, split);
    }

    private static (string? Cls, string? Sep) ParseTemplate(JsonElement root)
    {
        if (!root.TryGetProperty("post_processor", out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }
        string type = TypeOf(p);
        if (type != "TemplateProcessing")
        {
            throw new TokenizerException($"post_processor \"{type}\" is not supported (only TemplateProcessing)");
        }
        static string Describe(JsonElement items) => string.Join(' ', items.EnumerateArray().Select(i =>
            i.TryGetProperty("SpecialToken", out var s) ? $"{Get(s, "id").GetString()}:{Get(s, "type_id").GetInt32()}"
            : i.TryGetProperty("Sequence", out var q) ? $"${Get(q, "id").GetString()}:{Get(q, "type_id").GetInt32()}" : "?"));
        string single = Describe(Get(p, "single"));
        string pair = Describe(Get(p, "pair"));
        var parts = single.Split(' ');
        if (parts.Length == 3 && parts[1] == "$A:0" && parts[0].EndsWith(":0", StringComparison.Ordinal) && parts[2].EndsWith(":0", StringComparison.Ordinal))
        {
            string cls = parts[0][..^2], sep = parts[2][..^2];
            if (pair == $"{cls}:0 $A:0 {sep}:0 $B:1 {sep}:1")
            {
                return (cls, sep);
            }
        }
        throw new TokenizerException($"TemplateProcessing \"{single}\" / \"{pair}\" is not supported (expected \"[CLS]:0 $A:0 [SEP]:0\" / \"[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1\")");
    }

    private static IEnumerable<(int Index, int Length)> StringMatches(string text, string literal)
    {
        if (literal.Length == 0)
        {
            yield break;
        }
        for (int i = text.IndexOf(literal, StringComparison.Ordinal); i >= 0; i = text.IndexOf(literal, i + literal.Length, StringComparison.Ordinal))
        {
            yield return (i, literal.Length);
        }
    }

    /// <summary>
    /// NFKD then HF's StripAccents, which drops general category Mark (Mn, Mc, Me); the slow tokenizer drops
    /// combining classes other than 0, so e.g. Thai U+0E34 and U+FE0F go here and stay there.
    /// </summary>
    internal static AlignedText NfkdStripMarks(AlignedText t)
    {
        var o = new AlignedText(t.Length + 8);
        Span<int> hangul = stackalloc int[3];
        for (int i = 0; i < t.Length;)
        {
            int cp = t.CodePointAt(i, out int w);
            int s = t.Starts[i], e = t.Ends[i + w - 1];
            if (UnicodeTables.TryStripAccents(cp, out var r, out int hangulCount, hangul))
            {
                foreach (int x in hangulCount > 0 ? hangul[..hangulCount] : r)
                {
                    if (!UnicodeTables.IsMark(x))
                    {
                        o.AppendCodePoint(x, s, e);
                    }
                }
            }
            else if (!UnicodeTables.IsMark(cp))
            {
                o.AppendCodePoint(cp, s, e);
            }
            i += w;
        }
        return o;
    }

    /// <summary>
    /// HF <c>NormalizedString::replace</c>: each match becomes <paramref name="content"/>, whose chars are inserted
    /// after the removed match and so all take the span of its last char.
    /// </summary>
    internal static AlignedText Replace(AlignedText t, Func<string, IEnumerable<(int Index, int Length)>> matches, string content)
    {
        var o = new AlignedText(t.Length + 4);
        var chars = t.Chars;
        int pos = 0;
        foreach (var (index, length) in matches(t.ToString()))
        {
            if (length == 0 || index < pos)
            {
                continue;
            }
            for (; pos < index; pos++)
            {
                o.Append(chars[pos], t.Starts[pos], t.Ends[pos]);
            }
            int m = content.Length;
            for (int k = 0; k < m; k++)
            {
                o.Append(content[k], t.Starts[index + length - 1], t.Ends[index + length - 1]);
            }
            pos = index + length;
        }
        for (; pos < t.Length; pos++)
        {
            o.Append(chars[pos], t.Starts[pos], t.Ends[pos]);
        }
        return o;
    }

    /// <summary>
    /// HF tokenizers' <c>Precompiled::normalize</c>: per extended grapheme cluster shorter than 6 UTF-8 bytes, the
    /// first (shortest) charsmap rule matching its start replaces the whole cluster; otherwise each code point is
    /// looked up alone. The result is aligned as the library's <c>NormalizedString::transform</c> does it, including
    /// its slip: a removal before any kept char is not recorded, so the chars after it take the spans of the
    /// removed ones (the first word of "\u0001\uFEFFab" spans the control chars).
    /// </summary>
    internal static AlignedText Precompiled(AlignedText t, PrecompiledCharsMap map)
    {
        var chars = t.Chars;
        var changes = new List<(int Cp, int Change)>(t.Length + 8);
        Span<byte> buf = stackalloc byte[64];
        int g = 0;
        while (g < t.Length)
        {
            int glen = Math.Max(1, StringInfo.GetNextTextElementLength(chars[g..]));
            var grapheme = chars.Slice(g, glen);
            int blen = Encoding.UTF8.GetByteCount(grapheme);
            if (blen < 6)
            {
                Encoding.UTF8.GetBytes(grapheme, buf);
                if (map.ShortestMatch(buf[..blen], out var rep) > 0)
                {
                    AddReplacement(changes, CountCodePoints(grapheme), rep);
                    g += glen;
                    continue;
                }
            }
            for (int i = g; i < g + glen;)
            {
                int cp = t.CodePointAt(i, out int w);
                int n = Encoding.UTF8.GetBytes(chars.Slice(i, w), buf);
                if (map.ShortestMatch(buf[..n], out var rep) > 0)
                {
                    AddReplacement(changes, 1, rep);
                }
                else
                {
                    changes.Add((cp, 0));
                }
                i += w;
            }
            g += glen;
        }

        // NormalizedString::transform: a change <= 0 takes the next original code point's span and consumes
        // 1 - change of them; an inserted char (change 1) takes the span of the original before the cursor
        var spans = new List<(int S, int E)>(t.Length);
        for (int i = 0; i < t.Length;)
        {
            t.CodePointAt(i, out int w);
            spans.Add((t.Starts[i], t.Ends[i + w - 1]));
            i += w;
        }
        var o = new AlignedText(t.Length + 8);
        int offset = 0;
        foreach (var (cp, change) in changes)
        {
            (int S, int E) span;
            if (change > 0)
            {
                span = offset < 1 ? (spans[0].S, spans[0].S) : spans[Math.Min(offset, spans.Count) - 1];
            }
            else
            {
                span = spans[Math.Min(offset, spans.Count - 1)];
                offset += 1 - change;
            }
            o.AppendCodePoint(cp, span.S, span.E);
        }
        return o;
    }

    private static int CountCodePoints(ReadOnlySpan<char> s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (!(char.IsLowSurrogate(s[i]) && i > 0 && char.IsHighSurrogate(s[i - 1])))
            {
                n++;
            }
        }
        return n;
    }

    /// <summary>Precompiled's <c>replace(transformations, old, new)</c>.</summary>
    private static void AddReplacement(List<(int Cp, int Change)> changes, int oldCount, ReadOnlySpan<byte> utf8)
    {
        int before = changes.Count;
        foreach (var r in Encoding.UTF8.GetString(utf8).EnumerateRunes())
        {
            changes.Add((r.Value, 0));
        }
        int diff = changes.Count - before - oldCount;
        if (diff > 0)
        {
            for (int k = changes.Count - diff; k < changes.Count; k++)
            {
                changes[k] = (changes[k].Cp, 1);
            }
        }
        else if (diff < 0 && changes.Count > 0)
        {
            changes[^1] = (changes[^1].Cp, changes[^1].Change + diff);
        }
    }
}
