namespace AlbertGen.Tokenization.Text;

/// <summary>
/// Python <c>str</c> semantics that HF's slow tokenizers rely on, table-driven so the result does not
/// depend on .NET's globalization mode (this repo builds with InvariantGlobalization, where
/// <c>string.Normalize</c> is a no-op and U+0130 does not lower-case).
/// </summary>
internal static partial class UnicodeTables
{
    /// <summary>Python <c>c.lower()</c>; returns the number of code points written (1 or 2).</summary>
    public static int ToLower(int cp, out int first, out int second)
    {
        second = 0;
        if (cp < 0x80)
        {
            first = cp is >= 'A' and <= 'Z' ? cp + 32 : cp;
            return 1;
        }
        if (cp == 0x130)
        {
            first = 'i';
            second = 0x307;
            return 2;
        }
        int i = LowerKeys.BinarySearch(cp);
        first = i >= 0 ? LowerValues[i] : cp;
        return 1;
    }

    /// <summary>
    /// NFKD of one code point with combining characters (ccc != 0) removed, as
    /// <c>"".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))</c>.
    /// Returns false when the code point maps to itself.
    /// </summary>
    public static bool TryStripAccents(int cp, out ReadOnlySpan<int> replacement, out int hangulCount, Span<int> hangul)
    {
        hangulCount = 0;
        replacement = default;
        if (cp < 0xA0)
        {
            return false;
        }
        if (cp is >= 0xAC00 and <= 0xD7A3)
        {
            // Hangul syllable: algorithmic decomposition (Unicode ch. 3.12); all jamo have ccc 0.
            int s = cp - 0xAC00;
            hangul[0] = 0x1100 + s / (21 * 28);
            hangul[1] = 0x1161 + s % (21 * 28) / 28;
            int t = s % 28;
            hangulCount = 2;
            if (t != 0)
            {
                hangul[2] = 0x11A7 + t;
                hangulCount = 3;
            }
            return true;
        }
        int i = StripKeys.BinarySearch(cp);
        if (i < 0)
        {
            return false;
        }
        replacement = StripData[StripOffsets[i]..StripOffsets[i + 1]];
        return true;
    }

    /// <summary>
    /// NFD of one code point without category-Mn characters (BERT <c>_run_strip_accents</c>).
    /// Returns false when the code point maps to itself.
    /// </summary>
    public static bool TryStripAccentsNfd(int cp, out ReadOnlySpan<int> replacement, out int hangulCount, Span<int> hangul)
    {
        if (cp is >= 0xAC00 and <= 0xD7A3)
        {
            return TryStripAccents(cp, out replacement, out hangulCount, hangul);
        }
        hangulCount = 0;
        replacement = default;
        if (cp < 0xC0)
        {
            return false;
        }
        int i = NfdKeys.BinarySearch(cp);
        if (i < 0)
        {
            return false;
        }
        replacement = NfdData[NfdOffsets[i]..NfdOffsets[i + 1]];
        return true;
    }

    /// <summary>Python <c>str.isdigit()</c> for one code point.</summary>
    public static bool IsDigit(int cp)
    {
        if (cp < 0x80)
        {
            return cp is >= '0' and <= '9';
        }
        return InRanges(cp, DigitRanges);
    }

    /// <summary>General category Mark (Mn, Mc, Me): what HF tokenizers' StripAccents removes.</summary>
    public static bool IsMark(int cp)
    {
        if (cp < 0x300)
        {
            return false;
        }
        return InRanges(cp, MarkRanges);
    }

    /// <summary>Whether <paramref name="cp"/> lies in one of the sorted, disjoint inclusive ranges [start₀, end₀, start₁, end₁, …] (binary search).</summary>
    static bool InRanges(int cp, ReadOnlySpan<int> ranges)
    {
        int lo = 0, hi = ranges.Length / 2 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[2 * mid])
            {
                hi = mid - 1;
            }
            else if (cp > ranges[2 * mid + 1])
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Python <c>str.isspace()</c> (what <c>str.split()</c> and <c>str.strip()</c> use).</summary>
    public static bool IsPythonSpace(int cp) => cp switch
    {
        >= 0x09 and <= 0x0D => true,
        >= 0x1C and <= 0x20 => true,
        0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };
}
