using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AlbertGen.Cli.Serve;

/// <summary>
/// Reads a request's JSON body by hand (JsonDocument: no reflection, and every wrong shape gets its own message):
/// bad JSON → 400, a body over --max-body-bytes → 413, wrong types or empty inputs → 422, too many inputs → 413.
/// </summary>
internal static class RequestBody
{
    public static async Task<JsonElement> ReadAsync(HttpContext context)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw ServeException.Validation($"the body must be a JSON object, not {Describe(doc.RootElement.ValueKind)}");
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ServeException(StatusCodes.Status400BadRequest, "Validation", $"the body is not valid JSON: {e.Message}");
        }
        catch (BadHttpRequestException e)
        {
            throw new ServeException(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "PayloadTooLarge" : "Validation", e.Message);
        }
    }

    /// <summary>The texts of field <paramref name="name"/>: a string or an array of 1…<paramref name="maxInputs"/> non-empty strings.</summary>
    public static string[] Texts(JsonElement body, string name, int maxInputs)
    {
        if (!body.TryGetProperty(name, out var value))
            throw ServeException.Validation($"missing field '{name}' (a string or an array of strings)");
        string[] texts;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                texts = [value.GetString()!];
                break;
            case JsonValueKind.Array:
                int n = value.GetArrayLength();
                if (n == 0) throw new ServeException(StatusCodes.Status422UnprocessableEntity, "Empty", $"'{name}' is an empty array");
                if (n > maxInputs)
                    throw new ServeException(StatusCodes.Status413PayloadTooLarge, "Validation", $"'{name}' has {n} texts; at most {maxInputs} per request (--max-inputs)");
                texts = new string[n];
                int i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                        throw ServeException.Validation($"'{name}[{i}]' must be a string, not {Describe(item.ValueKind)}");
                    texts[i++] = item.GetString()!;
                }
                break;
            default:
                throw ServeException.Validation($"'{name}' must be a string or an array of strings, not {Describe(value.ValueKind)}");
        }
        for (int i = 0; i < texts.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i]))
                throw new ServeException(StatusCodes.Status422UnprocessableEntity, "Empty", texts.Length == 1 ? $"'{name}' is empty" : $"'{name}[{i}]' is empty");
        }
        return texts;
    }

    public static bool Bool(JsonElement body, string name, bool fallback)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return fallback;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ServeException.Validation($"'{name}' must be true or false, not {Describe(value.ValueKind)}"),
        };
    }

    public static int Int(JsonElement body, string name, int fallback, int min, int max)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return fallback;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int n))
            throw ServeException.Validation($"'{name}' must be an integer, not {Describe(value.ValueKind)}");
        if (n < min || n > max) throw ServeException.Validation($"'{name}' must be in [{min}, {max}], not {n}");
        return n;
    }

    public static string? String(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw ServeException.Validation($"'{name}' must be a string, not {Describe(value.ValueKind)}");
    }

    static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
