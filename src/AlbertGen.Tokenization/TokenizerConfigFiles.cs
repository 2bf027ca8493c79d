using System.Text.Json;
using AlbertGen.Json;

namespace AlbertGen.Tokenization;

/// <summary>
/// Reads HF's <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c> (either may be missing).
/// Special tokens may be strings or AddedToken objects (<c>{"content": "[MASK]", "lstrip": true, ...}</c>).
/// </summary>
internal static class TokenizerConfigFiles
{
    public static AlbertTokenizerOptions Read(string directory)
    {
        var options = new AlbertTokenizerOptions();
        options = ReadFile(Path.Combine(directory, "special_tokens_map.json"), options);
        // tokenizer_config.json wins over special_tokens_map.json, as in from_pretrained
        options = ReadFile(Path.Combine(directory, "tokenizer_config.json"), options);
        return options;
    }

    /// <summary>The same from files held in memory (a packed model image's), by file name.</summary>
    public static AlbertTokenizerOptions Read(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> files, string source)
    {
        var options = new AlbertTokenizerOptions();
        foreach (var name in new[] { "special_tokens_map.json", "tokenizer_config.json" })
        {
            if (files.TryGetValue(name, out var bytes))
            {
                options = ReadJson(source + "/" + name, bytes, options);
            }
        }
        return options;
    }

    private static AlbertTokenizerOptions ReadFile(string path, AlbertTokenizerOptions options)
    {
        if (!File.Exists(path))
        {
            return options;
        }
        try
        {
            return ReadJson(path, File.ReadAllBytes(path), options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerException($"cannot read {path}: {e.Message}", e);
        }
    }

    private static AlbertTokenizerOptions ReadJson(string path, ReadOnlyMemory<byte> utf8, AlbertTokenizerOptions options)
    {
        {
            using var doc = StrictJson.Parse(utf8, new JsonDocumentOptions { MaxDepth = 16 },
                (key, message, inner) => Error(key is null ? $"{path}: {message}" : $"{path}: '{key}': {message}", inner));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new TokenizerException($"{path}: expected a JSON object");
            }
            var r = doc.RootElement;
            return options.Merge(new AlbertTokenizerOptions
            {
                DoLowerCase = Bool(r, "do_lower_case"),
                RemoveSpace = Bool(r, "remove_space"),
                KeepAccents = Bool(r, "keep_accents"),
                StripAccents = Bool(r, "strip_accents"),
                TokenizeChineseChars = Bool(r, "tokenize_chinese_chars"),
                CleanUpTokenizationSpaces = Bool(r, "clean_up_tokenization_spaces"),
                UnkToken = Token(r, "unk_token"),
                SepToken = Token(r, "sep_token"),
                PadToken = Token(r, "pad_token"),
                ClsToken = Token(r, "cls_token"),
                MaskToken = Token(r, "mask_token"),
            });
        }
    }

    private static TokenizerException Error(string message, Exception? inner) =>
        inner is null ? new TokenizerException(message) : new TokenizerException(message, inner);

    private static bool? Bool(JsonElement r, string name) =>
        r.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static string? Token(JsonElement r, string name)
    {
        if (!r.TryGetProperty(name, out var v))
        {
            return null;
        }
        if (v.ValueKind == JsonValueKind.String)
        {
            return v.GetString();
        }
        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
        {
            return c.GetString();
        }
        return null;
    }
}
