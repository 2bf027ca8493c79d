using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AlbertGen.Json;

/// <summary>
/// The one JSON reading layer of every file we read (config.json, the safetensors header, inputs.json, the tokenizer's
/// JSON files; D22). <see cref="JsonDocument"/> checks structure when it parses but decodes strings only when they
/// are read, so invalid UTF-8 or a lone surrogate escape (<c>"\ud800"</c>) would surface later as an
/// <see cref="InvalidOperationException"/> from whichever call touched it. <see cref="Parse(ReadOnlyMemory{byte}, JsonDocumentOptions, Error)"/>
/// decodes every string and key once, up front, and turns every failure into the caller's own exception naming the
/// key path; after it, <see cref="JsonElement.GetString"/> and <see cref="JsonProperty.Name"/> cannot throw.
/// The typed getters below never throw on a wrong kind either: they return false or describe the value.
/// Compiled into Core and linked into the tokenizer (which stands alone) and Tasks, as the rules are (D19).
/// </summary>
internal static class StrictJson
{
    /// <summary>Makes the component's exception: <paramref name="key"/> is the key path at fault (null: the whole file).</summary>
    public delegate Exception Error(string? key, string message, Exception? inner);

    /// <summary>Parses UTF-8 JSON and checks that every string and key decodes; throws <paramref name="error"/>'s exception otherwise.</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, JsonDocumentOptions options, Error error)
    {
        if (utf8.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            utf8 = utf8[3..]; // a UTF-8 byte order mark, as editors on Windows write
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, options);
        }
        catch (JsonException e)
        {
            throw error(null, string.Create(CultureInfo.InvariantCulture,
                $"malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}"), e);
        }
        try
        {
            CheckStrings(doc.RootElement, "", error);
            return doc;
        }
        catch
        {
            doc.Dispose();
            throw;
        }
    }

    /// <summary>Parses JSON text (already decoded: a file read with U+FFFD replacement, or a caller's string).</summary>
    public static JsonDocument Parse(string json, JsonDocumentOptions options, Error error) =>
        Parse(Encoding.UTF8.GetBytes(json), options, error);

    /// <summary>Reads a file and parses it; a read failure (I/O) is left to propagate.</summary>
    public static JsonDocument ParseFile(string path, JsonDocumentOptions options, Error error) =>
        Parse(File.ReadAllBytes(path), options, error);

    static void CheckStrings(JsonElement e, string path, Error error)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = p.Name;
                    }
                    catch (InvalidOperationException x)
                    {
                        throw error(path.Length == 0 ? null : path, "a key is not valid UTF-8 text (invalid bytes or a lone surrogate escape)", x);
                    }
                    CheckStrings(p.Value, path.Length == 0 ? name : path + "." + name, error);
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    // numbers are the bulk of large arrays (inputs.json): skip the path string for them
                    if (item.ValueKind is JsonValueKind.String or JsonValueKind.Object or JsonValueKind.Array)
                        CheckStrings(item, path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", error);
                    i++;
                }
                break;
            case JsonValueKind.String:
                try
                {
                    _ = e.GetString();
                }
                catch (InvalidOperationException x)
                {
                    throw error(path.Length == 0 ? null : path, "string is not valid UTF-8 text (invalid bytes or a lone surrogate escape)", x);
                }
                break;
        }
    }

    /// <summary>A JSON integer that fits a long; false for any other kind or a fraction.</summary>
    public static bool TryGetInt64(JsonElement e, out long value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value);
    }

    /// <summary>A JSON integer that fits an int; false for any other kind or a fraction.</summary>
    public static bool TryGetInt32(JsonElement e, out int value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out value);
    }

    /// <summary>A JSON string; false for any other kind.</summary>
    public static bool TryGetString(JsonElement e, out string value)
    {
        value = e.ValueKind == JsonValueKind.String ? e.GetString()! : "";
        return e.ValueKind == JsonValueKind.String;
    }

    /// <summary>"the string "…"", "the number 3", "an array"… for messages (long values cut, never throws).</summary>
    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Cut(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Cut(e.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {e.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => e.ValueKind.ToString(),
    };

    /// <summary>At most 60 characters, control characters escaped (a value quoted in a message stays on its line).</summary>
    static string Cut(string s)
    {
        if (s.Length > 60) s = s[..60] + "…";
        if (!s.Any(char.IsControl)) return s;
        var sb = new StringBuilder(s.Length + 8);
        foreach (char c in s)
            sb.Append(char.IsControl(c) ? "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString());
        return sb.ToString();
    }

    /// <summary>System.Text.Json appends "LineNumber: … | BytePositionInLine: …" (we give our own); keep one line.</summary>
    static string FirstSentence(string message)
    {
        int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        string s = at > 0 ? message[..at] : message;
        return s.ReplaceLineEndings(" ");
    }
}
