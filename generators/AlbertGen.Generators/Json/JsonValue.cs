using System.Collections.Generic;

namespace AlbertGen.Generators.Json;

internal enum JsonKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>A span of the source text: offset and length, with zero-based line and column of both ends.</summary>
internal readonly struct TextRange
{
    public TextRange(int start, int end, int startLine, int startColumn, int endLine, int endColumn)
    {
        Start = start;
        End = end;
        StartLine = startLine;
        StartColumn = startColumn;
        EndLine = endLine;
        EndColumn = endColumn;
    }

    public int Start { get; }
    public int End { get; }
    public int StartLine { get; }
    public int StartColumn { get; }
    public int EndLine { get; }
    public int EndColumn { get; }
}

/// <summary>
/// A parsed JSON value with the place it was read from. Numbers keep their raw text (the caller decides
/// between integer and float, as HF's config loader does through Python's json module).
/// </summary>
internal sealed class JsonValue
{
    private JsonValue(JsonKind kind, TextRange range)
    {
        Kind = kind;
        Range = range;
    }

    public JsonKind Kind { get; }
    public TextRange Range { get; }
    /// <summary>String contents (unescaped) or a number's raw text.</summary>
    public string Text { get; private set; } = "";
    public IReadOnlyList<JsonValue> Items { get; private set; } = new JsonValue[0];
    public IReadOnlyList<JsonProperty> Properties { get; private set; } = new JsonProperty[0];

    public static JsonValue Scalar(JsonKind kind, TextRange range, string text) => new(kind, range) { Text = text };

    public static JsonValue Array(TextRange range, List<JsonValue> items) => new(JsonKind.Array, range) { Items = items };

    public static JsonValue Object(TextRange range, List<JsonProperty> properties) => new(JsonKind.Object, range) { Properties = properties };

    /// <summary>The last property named <paramref name="name"/> (Python's json keeps the last duplicate), or null.</summary>
    public JsonProperty? Property(string name)
    {
        JsonProperty? found = null;
        foreach (var p in Properties)
        {
            if (p.Name == name)
                found = p;
        }
        return found;
    }

    /// <summary>How a value is described in messages: "the string \"x\"", "the number 3", "an array"...</summary>
    public string Describe() => Kind switch
    {
        JsonKind.String => "the string \"" + Text + "\"",
        JsonKind.Number => "the number " + Text,
        JsonKind.True => "the boolean true",
        JsonKind.False => "the boolean false",
        JsonKind.Array => "an array",
        JsonKind.Object => "an object",
        _ => "null",
    };
}

/// <summary>One <c>"name": value</c> pair; <see cref="NameRange"/> covers the quoted key.</summary>
internal sealed class JsonProperty
{
    public JsonProperty(string name, TextRange nameRange, JsonValue value)
    {
        Name = name;
        NameRange = nameRange;
        Value = value;
    }

    public string Name { get; }
    public TextRange NameRange { get; }
    public JsonValue Value { get; }
}
