using System.Buffers.Binary;

namespace AlbertGen.Tokenization.SentencePiece;

/// <summary>
/// SentencePiece's precompiled normalisation rules (<c>NormalizerSpec.precompiled_charsmap</c>, e.g.
/// <c>nmt_nfkc</c>): <c>uint32 trieSize</c>, a Darts-clone double array of <c>trieSize</c> bytes over
/// UTF-8 keys, then a pool of NUL-terminated replacement strings the trie values point into.
/// Port of sentencepiece normalizer.cc (<c>Normalizer::NormalizePrefix</c>) and darts.h
/// (<c>DoubleArray::commonPrefixSearch</c>).
/// </summary>
internal sealed class PrecompiledCharsMap
{
    private readonly uint[] _units;
    private readonly byte[] _pool;

    public PrecompiledCharsMap(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4)
        {
            throw new TokenizerException("precompiled_charsmap is too short");
        }
        uint trieSize = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize % 4 != 0 || trieSize > blob.Length - 4 || trieSize == 0)
        {
            throw new TokenizerException("precompiled_charsmap has an invalid trie size");
        }
        _units = new uint[trieSize / 4];
        for (int i = 0; i < _units.Length; i++)
        {
            _units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob[(4 + 4 * i)..]);
        }
        _pool = blob[(4 + (int)trieSize)..].ToArray();
    }

    /// <summary>
    /// Longest rule matching a prefix of <paramref name="input"/>: returns the number of input bytes it
    /// consumes (0 when none) and the replacement bytes.
    /// </summary>
    public int LongestMatch(ReadOnlySpan<byte> input, out ReadOnlySpan<byte> replacement) => Match(input, out replacement, shortest: false);

    /// <summary>
    /// Shortest rule matching a prefix of <paramref name="input"/> (the first result of Darts'
    /// commonPrefixSearch, which HF tokenizers' <c>Precompiled::transform</c> takes): bytes consumed (0 when none)
    /// and the replacement.
    /// </summary>
    public int ShortestMatch(ReadOnlySpan<byte> input, out ReadOnlySpan<byte> replacement) => Match(input, out replacement, shortest: true);

    private int Match(ReadOnlySpan<byte> input, out ReadOnlySpan<byte> replacement, bool shortest)
    {
        replacement = default;
        int longestLength = 0;
        int longestValue = 0;
        uint nodePos = 0;
        uint unit = _units[0];
        nodePos ^= Offset(unit);
        for (int i = 0; i < input.Length; i++)
        {
            byte b = input[i];
            nodePos ^= b;
            if (nodePos >= (uint)_units.Length)
            {
                break;
            }
            unit = _units[nodePos];
            if (Label(unit) != b)
            {
                break;
            }
            nodePos ^= Offset(unit);
            if (HasLeaf(unit) && nodePos < (uint)_units.Length)
            {
                // results come in increasing length, so the last one is the longest
                longestLength = i + 1;
                longestValue = (int)Value(_units[nodePos]);
                if (shortest)
                {
                    break;
                }
            }
        }
        if (longestLength == 0)
        {
            return 0;
        }
        if ((uint)longestValue >= (uint)_pool.Length)
        {
            throw new TokenizerException("precompiled_charsmap points outside its string pool");
        }
        var rest = _pool.AsSpan(longestValue);
        int nul = rest.IndexOf((byte)0);
        replacement = nul < 0 ? rest : rest[..nul];
        return longestLength;
    }

    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;

    private static uint Value(uint unit) => unit & ((1u << 31) - 1);

    private static uint Label(uint unit) => unit & ((1u << 31) | 0xFF);

    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);
}
