using System.Text;

namespace AlbertGen.Tokenization.Text;

/// <summary>
/// A UTF-16 string under construction where every char remembers the span [Start, End) of the
/// ORIGINAL text it came from. Each normalisation step reads one of these and writes another, so
/// token offsets can be reported in the caller's coordinates however much the text was rewritten.
/// </summary>
internal sealed class AlignedText
{
    private char[] _chars;
    private int[] _starts;
    private int[] _ends;

    public AlignedText(int capacity = 16)
    {
        capacity = Math.Max(capacity, 4);
        _chars = new char[capacity];
        _starts = new int[capacity];
        _ends = new int[capacity];
    }

    public int Length { get; private set; }

    public ReadOnlySpan<char> Chars => _chars.AsSpan(0, Length);

    public ReadOnlySpan<int> Starts => _starts.AsSpan(0, Length);

    public ReadOnlySpan<int> Ends => _ends.AsSpan(0, Length);

    /// <summary>The text of <paramref name="source"/>[start, end) with identity alignment offset by <paramref name="origin"/>.</summary>
    public static AlignedText FromOriginal(ReadOnlySpan<char> source, int origin)
    {
        var t = new AlignedText(source.Length);
        for (int i = 0; i < source.Length; i++)
        {
            bool pair = char.IsHighSurrogate(source[i]) && i + 1 < source.Length && char.IsLowSurrogate(source[i + 1]);
            if (pair)
            {
                t.Append(source[i], origin + i, origin + i + 2);
                t.Append(source[i + 1], origin + i, origin + i + 2);
                i++;
            }
            else
            {
                t.Append(source[i], origin + i, origin + i + 1);
            }
        }
        return t;
    }

    public void Clear() => Length = 0;

    public void Append(char c, int start, int end)
    {
        if (Length == _chars.Length)
        {
            Grow();
        }
        _chars[Length] = c;
        _starts[Length] = start;
        _ends[Length] = end;
        Length++;
    }

    public void AppendCodePoint(int cp, int start, int end)
    {
        if (cp < 0x10000)
        {
            Append((char)cp, start, end);
        }
        else
        {
            cp -= 0x10000;
            Append((char)(0xD800 + (cp >> 10)), start, end);
            Append((char)(0xDC00 + (cp & 0x3FF)), start, end);
        }
    }

    /// <summary>Reads the code point at <paramref name="i"/>; lone surrogates read as themselves.</summary>
    public int CodePointAt(int i, out int width)
    {
        char c = _chars[i];
        if (char.IsHighSurrogate(c) && i + 1 < Length && char.IsLowSurrogate(_chars[i + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(c, _chars[i + 1]);
        }
        width = 1;
        return c;
    }

    public override string ToString() => new(Chars);

    /// <summary>Replaces every run of <c>needle</c> (two chars) by one char spanning both.</summary>
    public AlignedText ReplacePair(char a, char b, char replacement)
    {
        var o = new AlignedText(Length);
        for (int i = 0; i < Length; i++)
        {
            if (_chars[i] == a && i + 1 < Length && _chars[i + 1] == b)
            {
                o.Append(replacement, _starts[i], _ends[i + 1]);
                i++;
            }
            else
            {
                o.Append(_chars[i], _starts[i], _ends[i]);
            }
        }
        return o;
    }

    public string Substring(int start, int length) => new(_chars, start, length);

    private void Grow()
    {
        int n = _chars.Length * 2;
        Array.Resize(ref _chars, n);
        Array.Resize(ref _starts, n);
        Array.Resize(ref _ends, n);
    }

    internal static string Describe(AlignedText t)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < t.Length; i++)
        {
            sb.Append(t._chars[i]).Append('[').Append(t._starts[i]).Append(',').Append(t._ends[i]).Append(']');
        }
        return sb.ToString();
    }
}
