namespace AlbertGen.Tokenization.SentencePiece;

/// <summary>Piece types of sentencepiece_model.proto (<c>ModelProto.SentencePiece.Type</c>).</summary>
public enum PieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>The fields of <c>ModelProto</c> that encoding and decoding read.</summary>
internal sealed class ModelProto
{
    public List<(string Piece, float Score, PieceType Type)> Pieces { get; } = [];

    public int ModelType { get; set; } = 1; // TrainerSpec.model_type: 1 UNIGRAM, 2 BPE, 3 WORD, 4 CHAR

    public bool ByteFallback { get; set; }

    public bool TreatWhitespaceAsSuffix { get; set; }

    public string UnkSurface { get; set; } = " \u2047 ";

    public string NormalizerName { get; set; } = "";

    public byte[] PrecompiledCharsMap { get; set; } = [];

    public bool AddDummyPrefix { get; set; } = true;

    public bool RemoveExtraWhitespaces { get; set; } = true;

    public bool EscapeWhitespaces { get; set; } = true;

    /// <summary>
    /// Parses the protobuf wire format by hand (field numbers from sentencepiece_model.proto); unknown
    /// fields are skipped, so newer models load too.
    /// </summary>
    public static ModelProto Parse(ReadOnlySpan<byte> data)
    {
        var m = new ModelProto();
        var r = new WireReader(data);
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1 when wire == 2:
                    m.Pieces.Add(ParsePiece(r.ReadBytes()));
                    break;
                case 2 when wire == 2:
                    ParseTrainerSpec(r.ReadBytes(), m);
                    break;
                case 3 when wire == 2:
                    ParseNormalizerSpec(r.ReadBytes(), m);
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }
        return m;
    }

    private static (string, float, PieceType) ParsePiece(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data);
        string piece = "";
        float score = 0;
        var type = PieceType.Normal;
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1 when wire == 2:
                    piece = System.Text.Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                case 2 when wire == 5:
                    score = r.ReadFloat();
                    break;
                case 3 when wire == 0:
                    type = (PieceType)(int)r.ReadVarint();
                    if (!Enum.IsDefined(type))
                    {
                        throw new TokenizerException($"unknown sentencepiece piece type {(int)type}");
                    }
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }
        return (piece, score, type);
    }

    private static void ParseTrainerSpec(ReadOnlySpan<byte> data, ModelProto m)
    {
        var r = new WireReader(data);
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 3 when wire == 0:
                    m.ModelType = (int)r.ReadVarint();
                    break;
                case 24 when wire == 0:
                    m.TreatWhitespaceAsSuffix = r.ReadVarint() != 0;
                    break;
                case 35 when wire == 0:
                    m.ByteFallback = r.ReadVarint() != 0;
                    break;
                case 44 when wire == 2:
                    m.UnkSurface = System.Text.Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }
    }

    private static void ParseNormalizerSpec(ReadOnlySpan<byte> data, ModelProto m)
    {
        var r = new WireReader(data);
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1 when wire == 2:
                    m.NormalizerName = System.Text.Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                case 2 when wire == 2:
                    m.PrecompiledCharsMap = r.ReadBytes().ToArray();
                    break;
                case 3 when wire == 0:
                    m.AddDummyPrefix = r.ReadVarint() != 0;
                    break;
                case 4 when wire == 0:
                    m.RemoveExtraWhitespaces = r.ReadVarint() != 0;
                    break;
                case 5 when wire == 0:
                    m.EscapeWhitespaces = r.ReadVarint() != 0;
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }
    }

    private ref struct WireReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public readonly bool End => _pos >= _data.Length;

        public (int Field, int Wire) ReadTag()
        {
            ulong tag = ReadVarint();
            if (tag >> 3 == 0 || tag >> 3 > int.MaxValue)
            {
                throw new TokenizerException("not a sentencepiece model (bad protobuf tag)");
            }
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong ReadVarint()
        {
            ulong v = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_pos >= _data.Length)
                {
                    throw new TokenizerException("truncated sentencepiece model (varint)");
                }
                byte b = _data[_pos++];
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return v;
                }
            }
            throw new TokenizerException("not a sentencepiece model (varint too long)");
        }

        public float ReadFloat()
        {
            if (_pos + 4 > _data.Length)
            {
                throw new TokenizerException("truncated sentencepiece model (float)");
            }
            float f = BitConverter.Int32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(_data[_pos..]));
            _pos += 4;
            return f;
        }

        public ReadOnlySpan<byte> ReadBytes()
        {
            ulong len = ReadVarint();
            if (len > (ulong)(_data.Length - _pos))
            {
                throw new TokenizerException("truncated sentencepiece model (length-delimited field)");
            }
            var s = _data.Slice(_pos, (int)len);
            _pos += (int)len;
            return s;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0:
                    ReadVarint();
                    break;
                case 1:
                    Advance(8);
                    break;
                case 2:
                    ReadBytes();
                    break;
                case 5:
                    Advance(4);
                    break;
                default:
                    throw new TokenizerException($"not a sentencepiece model (wire type {wire})");
            }
        }

        private void Advance(int n)
        {
            if (_pos + n > _data.Length)
            {
                throw new TokenizerException("truncated sentencepiece model");
            }
            _pos += n;
        }
    }
}
