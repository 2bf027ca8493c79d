using System.Text;

namespace AlbertGen.Generators;

/// <summary>A <see cref="StringBuilder"/> that indents by blocks (four spaces) and writes '\n' line ends on every host.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0)
            _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
        return this;
    }

    public SourceWriter Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string trailer = "}")
    {
        _indent--;
        return Line(trailer);
    }

    public SourceWriter Indent()
    {
        _indent++;
        return this;
    }

    public SourceWriter Outdent()
    {
        _indent--;
        return this;
    }

    /// <summary>An XML doc <c>summary</c>; <paramref name="text"/> must already be XML-escaped.</summary>
    public SourceWriter Summary(string text) => Line("/// <summary>" + text + "</summary>");

    public override string ToString() => _sb.ToString();
}
