using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AlbertGen.Generators.Json;

/// <summary>A JSON syntax error with the zero-based line and column where reading stopped.</summary>
internal sealed class JsonSyntaxException : Exception
{
    public JsonSyntaxException(string message, int offset, int line, int column)
        : base(message)
    {
        Offset = offset;
        Line = line;
        Column = column;
    }

    public int Offset { get; }
    public int Line { get; }
    public int Column { get; }
}

/// <summary>
/// A small recursive-descent JSON reader for config files (RFC 8259, plus what the runtime loader also accepts:
/// <c>//</c> and <c>/* */</c> comments and trailing commas). It tracks line and column so that diagnostics point
/// into the file. Hand-written because System.Text.Json inside a netstandard2.0 generator is fragile across
/// compiler hosts (docs/toolchain.md).
/// </summary>
internal sealed class JsonReader
{
    private const int MaxDepth = 16;

    private readonly string _text;
    private int _pos;
    private int _line;
    private int _lineStart;

    private JsonReader(string text)
    {
        _text = text;
        // a UTF-8 BOM decoded as U+FEFF is not part of the document
        if (text.Length > 0 && text[0] == '\uFEFF')
            _pos = 1;
    }

    /// <summary>Parses one JSON document; throws <see cref="JsonSyntaxException"/> at the first error.</summary>
    public static JsonValue Parse(string text)
    {
        var reader = new JsonReader(text);
        reader.SkipTrivia();
        if (reader._pos >= text.Length)
            throw reader.Error("the file is empty; expected a JSON object");
        var value = reader.ReadValue(0);
        reader.SkipTrivia();
        if (reader._pos < text.Length)
            throw reader.Error("unexpected '" + text[reader._pos] + "' after the end of the JSON document");
        return value;
    }

    private int Column => _pos - _lineStart;

    private JsonSyntaxException Error(string message) => new(message, _pos, _line, Column);

    private TextRange RangeFrom(int start, int startLine, int startColumn) =>
        new(start, _pos, startLine, startColumn, _line, Column);

    private JsonValue ReadValue(int depth)
    {
        if (depth > MaxDepth)
            throw Error("nesting is deeper than " + MaxDepth.ToString(CultureInfo.InvariantCulture) + " levels");
        if (_pos >= _text.Length)
            throw Error("unexpected end of file; expected a value");
        char c = _text[_pos];
        switch (c)
        {
            case '{':
                return ReadObject(depth);
            case '[':
                return ReadArray(depth);
            case '"':
            {
                int start = _pos, line = _line, col = Column;
                string s = ReadString();
                return JsonValue.Scalar(JsonKind.String, RangeFrom(start, line, col), s);
            }
            case 't':
                return ReadLiteral("true", JsonKind.True);
            case 'f':
                return ReadLiteral("false", JsonKind.False);
            case 'n':
                return ReadLiteral("null", JsonKind.Null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                    return ReadNumber();
                if (c == 'N' || c == 'I')
                    throw Error("NaN and Infinity are not JSON; write a number");
                throw Error("unexpected '" + c + "'; expected a value");
        }
    }

    private JsonValue ReadObject(int depth)
    {
        int start = _pos, line = _line, col = Column;
        _pos++; // {
        var props = new List<JsonProperty>();
        SkipTrivia();
        while (true)
        {
            if (_pos >= _text.Length)
                throw Error("unexpected end of file inside an object; expected '}'");
            if (_text[_pos] == '}')
            {
                _pos++;
                return JsonValue.Object(RangeFrom(start, line, col), props);
            }
            if (_text[_pos] != '"')
                throw Error("expected a property name in double quotes, found '" + _text[_pos] + "'");
            int nameStart = _pos, nameLine = _line, nameCol = Column;
            string name = ReadString();
            var nameRange = RangeFrom(nameStart, nameLine, nameCol);
            SkipTrivia();
            if (_pos >= _text.Length || _text[_pos] != ':')
                throw Error("expected ':' after property name \"" + name + "\"");
            _pos++;
            SkipTrivia();
            var value = ReadValue(depth + 1);
            props.Add(new JsonProperty(name, nameRange, value));
            SkipTrivia();
            if (_pos >= _text.Length)
                throw Error("unexpected end of file inside an object; expected ',' or '}'");
            if (_text[_pos] == ',')
            {
                _pos++;
                SkipTrivia();
                continue;
            }
            if (_text[_pos] != '}')
                throw Error("expected ',' or '}' after the value of \"" + name + "\", found '" + _text[_pos] + "'");
        }
    }

    private JsonValue ReadArray(int depth)
    {
        int start = _pos, line = _line, col = Column;
        _pos++; // [
        var items = new List<JsonValue>();
        SkipTrivia();
        while (true)
        {
            if (_pos >= _text.Length)
                throw Error("unexpected end of file inside an array; expected ']'");
            if (_text[_pos] == ']')
            {
                _pos++;
                return JsonValue.Array(RangeFrom(start, line, col), items);
            }
            items.Add(ReadValue(depth + 1));
            SkipTrivia();
            if (_pos >= _text.Length)
                throw Error("unexpected end of file inside an array; expected ',' or ']'");
            if (_text[_pos] == ',')
            {
                _pos++;
                SkipTrivia();
                continue;
            }
            if (_text[_pos] != ']')
                throw Error("expected ',' or ']' in an array, found '" + _text[_pos] + "'");
        }
    }

    private string ReadString()
    {
        _pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
                throw Error("unterminated string");
            char c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                return sb.ToString();
            }
            if (c == '\n' || c == '\r')
                throw Error("unterminated string (line break inside a string)");
            if (c < ' ')
                throw Error("control character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + " must be escaped inside a string");
            if (c != '\\')
            {
                sb.Append(c);
                _pos++;
                continue;
            }
            _pos++;
            if (_pos >= _text.Length)
                throw Error("unterminated string");
            char e = _text[_pos];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 >= _text.Length
                        || !int.TryParse(_text.Substring(_pos + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                        throw Error("invalid \\u escape; expected four hex digits");
                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default:
                    throw Error("invalid escape '\\" + e + "'");
            }
            _pos++;
        }
    }

    private JsonValue ReadNumber()
    {
        int start = _pos, line = _line, col = Column;
        if (_text[_pos] == '-')
            _pos++;
        if (_pos >= _text.Length || !IsDigit(_text[_pos]))
            throw Error("expected a digit in a number");
        if (_text[_pos] == '0')
        {
            _pos++;
            if (_pos < _text.Length && IsDigit(_text[_pos]))
                throw Error("numbers must not have leading zeros");
        }
        else
        {
            while (_pos < _text.Length && IsDigit(_text[_pos]))
                _pos++;
        }
        if (_pos < _text.Length && _text[_pos] == '.')
        {
            _pos++;
            if (_pos >= _text.Length || !IsDigit(_text[_pos]))
                throw Error("expected a digit after the decimal point");
            while (_pos < _text.Length && IsDigit(_text[_pos]))
                _pos++;
        }
        if (_pos < _text.Length && (_text[_pos] == 'e' || _text[_pos] == 'E'))
        {
            _pos++;
            if (_pos < _text.Length && (_text[_pos] == '+' || _text[_pos] == '-'))
                _pos++;
            if (_pos >= _text.Length || !IsDigit(_text[_pos]))
                throw Error("expected a digit in the exponent");
            while (_pos < _text.Length && IsDigit(_text[_pos]))
                _pos++;
        }
        return JsonValue.Scalar(JsonKind.Number, RangeFrom(start, line, col), _text.Substring(start, _pos - start));
    }

    private JsonValue ReadLiteral(string literal, JsonKind kind)
    {
        int start = _pos, line = _line, col = Column;
        if (string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) != 0)
            throw Error("unexpected '" + _text[_pos] + "'; expected a value");
        _pos += literal.Length;
        return JsonValue.Scalar(kind, RangeFrom(start, line, col), literal);
    }

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    /// <summary>Skips whitespace and comments, counting lines.</summary>
    private void SkipTrivia()
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == '\n')
            {
                _pos++;
                _line++;
                _lineStart = _pos;
            }
            else if (c == ' ' || c == '\t' || c == '\r')
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                    _pos++;
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
            {
                int end = _text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                if (end < 0)
                    throw Error("unterminated /* comment */");
                while (_pos < end + 2)
                {
                    if (_text[_pos] == '\n')
                    {
                        _line++;
                        _lineStart = _pos + 1;
                    }
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }
}
