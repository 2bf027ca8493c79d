using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AlbertGen.Fuzz.Tests;

/// <summary>Byte-level and JSON-token-level mutations, and the small container the multi-file targets use.</summary>
public static partial class Mutations
{
    /// <summary>JSON fragments that have broken readers: wrong kinds, huge and negative numbers, bad strings (raw bytes kept as Latin-1 chars).</summary>
    public static readonly string[] JsonTokens =
    [
        "null", "true", "false", "0", "-1", "1", "2", "7", "64", "-0", "0.5", "1e400", "-1e400", "1e9", "1000000000", "2147483647",
        "2147483648", "-2147483649", "99999999999999999999999", "9007199254740993", "\"\"", "\"0\"", "\"64\"", "\"gelu\"",
        "\"\\ud800\"", "\"\\udfff\"", "\"a\\ud800b\"", "\"\xff\"", "\"\xc3\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\\u0000\"",
        "\"\\u001b[31m\"", "\"\\n\"", "[]", "{}", "[0]", "[[0]]", "[0,1]", "[\"0\",64]", "[null,64]", "[true,64]", "[0,-1]", "[1,0]",
        "{\"a\":1}", "[[[[[[[[[[1]]]]]]]]]]", "\"[MASK]\"", "{\"content\":\"\\ud800\"}", "{\"content\":\"\xff\"}", "\"" + new string('x', 300) + "\"",
    ];

    static readonly Encoding Latin1 = Encoding.Latin1;

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|-?[0-9][0-9.eE+-]*|true|false|null|\\[\\]|\\{\\}")]
    private static partial Regex JsonToken();

    /// <summary>Replaces 1–3 JSON tokens (strings, numbers, literals) of <paramref name="json"/> with <see cref="JsonTokens"/> or another token of the text.</summary>
    public static byte[] MutateJsonTokens(Random rng, byte[] json)
    {
        string text = Latin1.GetString(json);
        var tokens = JsonToken().Matches(text);
        if (tokens.Count == 0) return MutateBytes(rng, json);
        int edits = rng.Next(1, 4);
        for (int k = 0; k < edits; k++)
        {
            tokens = JsonToken().Matches(text);
            if (tokens.Count == 0) break;
            var t = tokens[rng.Next(tokens.Count)];
            string replacement = rng.Next(4) == 0 ? tokens[rng.Next(tokens.Count)].Value : JsonTokens[rng.Next(JsonTokens.Length)];
            text = text[..t.Index] + replacement + text[(t.Index + t.Length)..];
        }
        return Latin1.GetBytes(text);
    }

    /// <summary>Adds or overrides a key: <c>"key": value</c> right after the opening brace (JSON keeps the last duplicate).</summary>
    public static byte[] InsertKey(Random rng, byte[] json, string[] keys)
    {
        string text = Latin1.GetString(json);
        int brace = text.IndexOf('{', StringComparison.Ordinal);
        if (brace < 0) return json;
        string key = rng.Next(8) == 0 ? JsonTokens[rng.Next(JsonTokens.Length)] : "\"" + keys[rng.Next(keys.Length)] + "\"";
        if (!key.StartsWith('"')) key = "\"" + key + "\"";
        string entry = key + ": " + JsonTokens[rng.Next(JsonTokens.Length)];
        // insert at the end (so it overrides an earlier one) or at the start
        int at = rng.Next(2) == 0 ? brace + 1 : text.LastIndexOf('}');
        if (at < 0) at = brace + 1;
        string sep = at == brace + 1 ? entry + ", " : ", " + entry;
        return Latin1.GetBytes(text[..at] + sep + text[at..]);
    }

    static readonly byte[] Interesting = [0, 0xff, 0x7f, 0x80, 0xc0, 0xed, 0xf4, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)',', (byte)':', (byte)'0', (byte)'9', (byte)'-', (byte)' '];

    /// <summary>1–8 byte-level edits: bit flips, interesting bytes, deletions, insertions, duplicated ranges, truncation.</summary>
    public static byte[] MutateBytes(Random rng, byte[] data, int from = 0, int to = -1)
    {
        var list = new List<byte>(data);
        int edits = rng.Next(1, 9);
        for (int k = 0; k < edits; k++)
        {
            int hi = to < 0 ? list.Count : Math.Min(to, list.Count);
            int lo = Math.Min(from, hi);
            if (hi - lo <= 0)
            {
                list.Add((byte)rng.Next(256));
                continue;
            }
            int at = rng.Next(lo, hi);
            switch (rng.Next(7))
            {
                case 0:
                case 1:
                    list[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 2:
                    list[at] = Interesting[rng.Next(Interesting.Length)];
                    break;
                case 3:
                    list.RemoveRange(at, Math.Min(rng.Next(1, 16), list.Count - at));
                    break;
                case 4:
                    list.InsertRange(at, Enumerable.Range(0, rng.Next(1, 8)).Select(_ => rng.Next(3) == 0 ? Interesting[rng.Next(Interesting.Length)] : (byte)rng.Next(256)));
                    break;
                case 5:
                    int len = Math.Min(rng.Next(1, 64), list.Count - at);
                    list.InsertRange(rng.Next(lo, hi), list.GetRange(at, len));
                    break;
                default:
                    if (rng.Next(4) == 0) list.RemoveRange(at, list.Count - at);
                    else list[at] = (byte)rng.Next(256);
                    break;
            }
        }
        return [.. list];
    }

    /// <summary>Several byte strings in one input: [int32 length or −1 (absent)][bytes]… (regression files use it too).</summary>
    public static byte[] Pack(params byte[]?[] parts)
    {
        using var ms = new MemoryStream();
        Span<byte> len = stackalloc byte[4];
        foreach (var p in parts)
        {
            BinaryPrimitives.WriteInt32LittleEndian(len, p?.Length ?? -1);
            ms.Write(len);
            if (p is not null) ms.Write(p);
        }
        return ms.ToArray();
    }

    /// <summary>The parts of <see cref="Pack"/>; a short or malformed input yields what could be read (absent parts null).</summary>
    public static byte[]?[] Unpack(byte[] input, int count)
    {
        var parts = new byte[]?[count];
        int at = 0;
        for (int i = 0; i < count && at + 4 <= input.Length; i++)
        {
            int n = BinaryPrimitives.ReadInt32LittleEndian(input.AsSpan(at));
            at += 4;
            if (n < 0) continue;
            n = Math.Min(n, input.Length - at);
            parts[i] = input.AsSpan(at, n).ToArray();
            at += n;
        }
        return parts;
    }

    public static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);
}
