using System.Buffers.Binary;

namespace AlbertGen.Conversion;

/// <summary>
/// The protobuf wire format, bounds-checked (as the SentencePiece model reader in AlbertGen.Tokenization): every read
/// checks the bytes left and throws <see cref="OnnxException"/> naming what was truncated.
/// </summary>
internal ref struct OnnxWireReader(ReadOnlySpan<byte> data)
{
    readonly ReadOnlySpan<byte> _data = data;
    int _pos;

    public readonly bool End => _pos >= _data.Length;

    public (int Field, int Wire) ReadTag()
    {
        ulong tag = ReadVarint();
        if (tag >> 3 == 0 || tag >> 3 > int.MaxValue)
            throw new OnnxException("not an ONNX model (bad protobuf tag)");
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length)
                throw new OnnxException("truncated ONNX model (varint)");
            byte b = _data[_pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return v;
        }
        throw new OnnxException("not an ONNX model (varint too long)");
    }

    public float ReadFixed32Float()
    {
        Need(4, "float");
        float f = BinaryPrimitives.ReadSingleLittleEndian(_data[_pos..]);
        _pos += 4;
        return f;
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos))
            throw new OnnxException("truncated ONNX model (length-delimited field)");
        var s = _data.Slice(_pos, (int)len);
        _pos += (int)len;
        return s;
    }

    public string ReadString()
    {
        var bytes = ReadBytes();
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new OnnxException("not an ONNX model (a string field is not UTF-8)");
        }
    }

    /// <summary>A repeated int64 field: one varint (<paramref name="wire"/> 0) or a packed run (wire 2).</summary>
    public void ReadInt64s(int wire, List<long> into)
    {
        if (wire == 0)
        {
            into.Add((long)ReadVarint());
            return;
        }
        if (wire != 2)
            throw new OnnxException($"not an ONNX model (int64 field with wire type {wire})");
        var r = new OnnxWireReader(ReadBytes());
        while (!r.End)
            into.Add((long)r.ReadVarint());
    }

    /// <summary>A repeated float field: one fixed32 (<paramref name="wire"/> 5) or a packed run (wire 2).</summary>
    public void ReadFloats(int wire, List<float> into)
    {
        if (wire == 5)
        {
            into.Add(ReadFixed32Float());
            return;
        }
        if (wire != 2)
            throw new OnnxException($"not an ONNX model (float field with wire type {wire})");
        var bytes = ReadBytes();
        if (bytes.Length % 4 != 0)
            throw new OnnxException("not an ONNX model (packed float field of " + bytes.Length + " bytes)");
        for (int i = 0; i < bytes.Length; i += 4)
            into.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes[i..]));
    }

    public void Skip(int wire)
    {
        switch (wire)
        {
            case 0: ReadVarint(); break;
            case 1: Need(8, "fixed64"); _pos += 8; break;
            case 2: ReadBytes(); break;
            case 5: Need(4, "fixed32"); _pos += 4; break;
            default: throw new OnnxException($"not an ONNX model (wire type {wire})");
        }
    }

    /// <summary>Checks the wire type of a known field.</summary>
    public static void Expect(int wire, int expected, string field)
    {
        if (wire != expected)
            throw new OnnxException($"not an ONNX model ({field} has wire type {wire}, {expected} expected)");
    }

    readonly void Need(int n, string what)
    {
        if (_data.Length - _pos < n)
            throw new OnnxException($"truncated ONNX model ({what})");
    }
}
