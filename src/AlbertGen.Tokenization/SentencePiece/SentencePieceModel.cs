using System.Text;
using AlbertGen.Tokenization.Text;

namespace AlbertGen.Tokenization.SentencePiece;

/// <summary>
/// A SentencePiece Unigram model (<c>spiece.model</c>) that encodes exactly as the sentencepiece
/// library's <c>SentencePieceProcessor::Encode</c> (v0.1.9x, optimised Viterbi): the model's own
/// normaliser (precompiled charsmap, whitespace rules, dummy prefix), Viterbi over UTF-8 bytes, runs of
/// unknown characters merged into one piece, and byte fallback (<c>&lt;0xXX&gt;</c> pieces).
/// Immutable; safe to share between threads.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers 2.0.1 <c>TokenSpanizer</c> was not used for the core: it emits one
/// &lt;unk&gt; per unknown character and wrong byte-fallback ids for Unigram (see docs/decisions.md).
/// </remarks>
public sealed class SentencePieceModel
{
    private const float UnkPenalty = 10.0f;

    /// <summary>C's <c>FLT_MIN</c> (smallest normal float), where the library starts <c>max_score_</c>.</summary>
    private const float FltMin = 1.17549435E-38f;
    private static readonly byte[] SpaceSymbol = [0xE2, 0x96, 0x81]; // U+2581 ▁

    private readonly string[] _pieces;
    private readonly float[] _scores;
    private readonly PieceType[] _types;
    private readonly Dictionary<string, int> _pieceToId;
    private readonly Dictionary<long, int> _trieEdges = [];
    private readonly List<int> _trieValues = [-1];
    private readonly Dictionary<long, int> _userDefinedEdges = [];
    private readonly List<bool> _userDefinedEnds = [false];
    private readonly int[] _byteToId = new int[256];
    private readonly PrecompiledCharsMap? _charsMap;
    private readonly bool _addDummyPrefix;
    private readonly bool _removeExtraWhitespaces;
    private readonly bool _escapeWhitespaces;
    // as unigram_model.cc's Model(): min over NORMAL pieces from FLT_MAX, max from FLT_MIN (not -FLT_MAX), so
    // with the usual all-negative scores a user-defined piece scores length * FLT_MIN - 0.1, i.e. -0.1
    private readonly float _minScore = float.MaxValue;
    private readonly float _maxScore = FltMin;

    private SentencePieceModel(ModelProto proto)
    {
        if (proto.ModelType != 1)
        {
            throw new TokenizerException($"only Unigram sentencepiece models are supported (model_type {proto.ModelType})");
        }
        if (proto.TreatWhitespaceAsSuffix)
        {
            throw new TokenizerException("treat_whitespace_as_suffix models are not supported");
        }
        if (proto.Pieces.Count == 0)
        {
            throw new TokenizerException("sentencepiece model has no pieces");
        }
        int n = proto.Pieces.Count;
        _pieces = new string[n];
        _scores = new float[n];
        _types = new PieceType[n];
        _pieceToId = new Dictionary<string, int>(n, StringComparer.Ordinal);
        UnkId = -1;
        Array.Fill(_byteToId, -1);
        for (int i = 0; i < n; i++)
        {
            var (piece, score, type) = proto.Pieces[i];
            _pieces[i] = piece;
            _scores[i] = score;
            _types[i] = type;
            if (piece.Length == 0)
            {
                throw new TokenizerException($"sentencepiece model has an empty piece (id {i})");
            }
            if (!_pieceToId.TryAdd(piece, i))
            {
                throw new TokenizerException($"sentencepiece piece '{piece}' is defined twice");
            }
            switch (type)
            {
                case PieceType.Normal:
                    _minScore = Math.Min(_minScore, score);
                    _maxScore = Math.Max(_maxScore, score);
                    AddToTrie(piece, i);
                    break;
                case PieceType.UserDefined:
                    AddToTrie(piece, i);
                    AddUserDefined(piece);
                    break;
                case PieceType.Unused:
                    AddToTrie(piece, i);
                    break;
                case PieceType.Unknown:
                    if (UnkId >= 0)
                    {
                        throw new TokenizerException("sentencepiece model has more than one unknown piece");
                    }
                    UnkId = i;
                    break;
                case PieceType.Byte:
                    if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
                        && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out byte b))
                    {
                        _byteToId[b] = i;
                    }
                    break;
            }
        }
        if (UnkId < 0)
        {
            throw new TokenizerException("sentencepiece model has no unknown piece");
        }
        ByteFallback = proto.ByteFallback;
        UnkSurface = proto.UnkSurface;
        if (proto.PrecompiledCharsMap.Length > 0)
        {
            _charsMap = new PrecompiledCharsMap(proto.PrecompiledCharsMap);
        }
        NormalizerName = proto.NormalizerName;
        _addDummyPrefix = proto.AddDummyPrefix;
        _removeExtraWhitespaces = proto.RemoveExtraWhitespaces;
        _escapeWhitespaces = proto.EscapeWhitespaces;
    }

    public int Count => _pieces.Length;

    public int UnkId { get; }

    public bool ByteFallback { get; }

    public string NormalizerName { get; }

    /// <summary>What an &lt;unk&gt; decodes to (TrainerSpec.unk_surface, default " ⁇ ").</summary>
    public string UnkSurface { get; }

    public static SentencePieceModel Load(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerException($"cannot read sentencepiece model '{path}': {e.Message}", e);
        }
        return FromBytes(data);
    }

    public static SentencePieceModel FromBytes(ReadOnlySpan<byte> data) => new(ModelProto.Parse(data));

    public string IdToPiece(int id) => (uint)id < (uint)_pieces.Length
        ? _pieces[id]
        : throw new ArgumentOutOfRangeException(nameof(id), id, "id outside the vocabulary");

    /// <summary>The id of <paramref name="piece"/>, or <see cref="UnkId"/> when it is not in the vocabulary.</summary>
    public int PieceToId(string piece) => _pieceToId.TryGetValue(piece, out int id) ? id : UnkId;

    public bool Contains(string piece) => _pieceToId.ContainsKey(piece);

    public PieceType GetPieceType(int id) => _types[id];

    public float GetScore(int id) => _scores[id];

    /// <summary>Pieces of <paramref name="text"/> exactly as <c>spm_encode --output_format=piece</c>.</summary>
    public IReadOnlyList<TokenSpan> Encode(string text)
    {
        var result = new List<TokenSpan>();
        Encode(AlignedText.FromOriginal(text, 0), result);
        return result;
    }

    /// <summary>The model's normalisation of <paramref name="text"/> (charsmap, whitespace rules, "▁").</summary>
    public string Normalize(string text)
    {
        var raw = new ByteText(text.Length * 3 + 4);
        AppendUtf8(AlignedText.FromOriginal(text, 0), raw);
        return Encoding.UTF8.GetString(Normalize(raw).Bytes);
    }

    /// <summary>Ids of <paramref name="text"/> exactly as <c>spm_encode --output_format=id</c>.</summary>
    public int[] EncodeToIds(string text)
    {
        var tokens = Encode(text);
        var ids = new int[tokens.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = tokens[i].Id;
        }
        return ids;
    }

    /// <summary>Encodes <paramref name="input"/>, appending pieces with spans taken from its alignment.</summary>
    internal void Encode(AlignedText input, List<TokenSpan> output, bool albertDigitComma = false)
    {
        if (input.Length == 0)
        {
            return;
        }
        // UTF-8 bytes of the input, each with the span of the char it encodes
        var raw = new ByteText(input.Length * 3 + 4);
        AppendUtf8(input, raw);
        var norm = Normalize(raw);
        if (norm.Length == 0)
        {
            return;
        }
        Viterbi(norm, output, albertDigitComma);
    }

    private static void AppendUtf8(AlignedText t, ByteText dst)
    {
        Span<byte> buf = stackalloc byte[4];
        var starts = t.Starts;
        var ends = t.Ends;
        for (int i = 0; i < t.Length;)
        {
            int cp = t.CodePointAt(i, out int width);
            if (cp is >= 0xD800 and <= 0xDFFF)
            {
                cp = 0xFFFD; // lone surrogate: what a UTF-8 encoder writes instead
            }
            int len = new Rune(cp).EncodeToUtf8(buf);
            int s = starts[i], e = ends[i + width - 1];
            for (int k = 0; k < len; k++)
            {
                dst.Append(buf[k], s, e);
            }
            i += width;
        }
    }

    /// <summary>Port of sentencepiece <c>Normalizer::Normalize</c> with per-byte alignment.</summary>
    private ByteText Normalize(ByteText input)
    {
        var output = new ByteText(input.Length + 8);
        var data = input.Bytes;
        int pos = 0;
        Span<byte> rep = stackalloc byte[4];

        // Ignores heading spaces.
        if (_removeExtraWhitespaces)
        {
            while (pos < data.Length)
            {
                int consumed = NormalizePrefix(data[pos..], rep, out var sp);
                if (!(sp.Length == 1 && sp[0] == (byte)' '))
                {
                    break;
                }
                pos += consumed;
            }
        }
        if (pos >= data.Length)
        {
            return output;
        }
        if (_addDummyPrefix)
        {
            // the dummy prefix aligns to an empty span where the text begins
            int at = input.Starts[pos];
            AddSpace(output, at, at);
        }
        bool isPrevSpace = _removeExtraWhitespaces;
        while (pos < data.Length)
        {
            int consumed = NormalizePrefix(data[pos..], rep, out var sp);
            int s = int.MaxValue, e = int.MinValue;
            for (int k = pos; k < pos + consumed; k++)
            {
                s = Math.Min(s, input.Starts[k]);
                e = Math.Max(e, input.Ends[k]);
            }
            while (isPrevSpace && sp.Length > 0 && sp[0] == (byte)' ')
            {
                sp = sp[1..];
            }
            if (sp.Length > 0)
            {
                foreach (byte b in sp)
                {
                    if (_escapeWhitespaces && b == (byte)' ')
                    {
                        AddSpace(output, s, e);
                    }
                    else
                    {
                        output.Append(b, s, e);
                    }
                }
                isPrevSpace = sp[^1] == (byte)' ';
            }
            pos += consumed;
            if (!_removeExtraWhitespaces)
            {
                isPrevSpace = false;
            }
        }
        // Ignores trailing spaces.
        if (_removeExtraWhitespaces)
        {
            ReadOnlySpan<byte> space = _escapeWhitespaces ? SpaceSymbol : " "u8;
            while (output.Bytes.EndsWith(space))
            {
                output.Truncate(output.Length - space.Length);
            }
        }
        return output;
    }

    private void AddSpace(ByteText output, int s, int e)
    {
        if (_escapeWhitespaces)
        {
            foreach (byte b in SpaceSymbol)
            {
                output.Append(b, s, e);
            }
        }
        else
        {
            output.Append((byte)' ', s, e);
        }
    }

    /// <summary>Port of <c>Normalizer::NormalizePrefix</c>: returns bytes consumed, sets the replacement.</summary>
    private int NormalizePrefix(ReadOnlySpan<byte> input, Span<byte> scratch, out ReadOnlySpan<byte> replacement)
    {
        // user-defined symbols pass the normaliser unchanged (the processor's PrefixMatcher, longest match)
        int userDefined = UserDefinedPrefix(input);
        if (userDefined > 0)
        {
            replacement = input[..userDefined];
            return userDefined;
        }
        if (_charsMap is not null)
        {
            int n = _charsMap.LongestMatch(input, out replacement);
            if (n > 0)
            {
                return n;
            }
        }
        int len = Utf8CharLength(input);
        if (len == 0)
        {
            // malformed UTF-8: U+FFFD, consuming one byte
            scratch[0] = 0xEF;
            scratch[1] = 0xBF;
            scratch[2] = 0xBD;
            replacement = scratch[..3];
            return 1;
        }
        replacement = input[..len];
        return len;
    }

    /// <summary>Length of the valid UTF-8 sequence at the start of <paramref name="s"/>, or 0.</summary>
    private static int Utf8CharLength(ReadOnlySpan<byte> s)
    {
        var status = Rune.DecodeFromUtf8(s, out _, out int consumed);
        return status == System.Buffers.OperationStatus.Done ? consumed : 0;
    }

    /// <summary>One-character length from the lead byte, as sentencepiece's <c>OneCharLen</c>.</summary>
    private static int OneCharLen(byte b) => (b >> 4) switch
    {
        12 or 13 => 2,
        14 => 3,
        15 => 4,
        _ => 1,
    };

    private struct BestPathNode
    {
        public int Id;
        public float Score; // stored as float, as the library's BestPathNode::best_path_score
        public int StartsAt;
    }

    /// <summary>
    /// Port of unigram <c>Model::EncodeOptimized</c> plus <c>PopulateSentencePieceText</c>. The arithmetic is the
    /// library's to the bit: a piece's candidate is <c>score + till_here</c> in double (the score expression
    /// <c>IsUserDefined ? length * max_score_ - 0.1 : GetScore(id)</c> is double because of the literal),
    /// compared with the float stored at the target and stored back as float; the unknown candidate
    /// <c>unk_score + till_here</c> is float + float. Adding in float instead breaks ties of runs such as "ppp"
    /// the other way (<c>p pp</c> for the library's <c>pp p</c>).
    /// </summary>
    private void Viterbi(ByteText norm, List<TokenSpan> output, bool albertDigitComma)
    {
        var text = norm.Bytes;
        int size = text.Length;
        float unkScore = _minScore - UnkPenalty;
        var best = new BestPathNode[size + 1];
        for (int i = 0; i <= size; i++)
        {
            best[i].StartsAt = -1;
            best[i].Id = -1;
        }
        best[0].StartsAt = 0;
        int startsAt = 0;
        while (startsAt < size)
        {
            float tillHere = best[startsAt].Score;
            bool hasSingleNode = false;
            int mblen = Math.Min(OneCharLen(text[startsAt]), size - startsAt);
            int node = 0;
            for (int keyPos = startsAt; keyPos < size; keyPos++)
            {
                if (!_trieEdges.TryGetValue(((long)node << 8) | text[keyPos], out node))
                {
                    break;
                }
                int id = _trieValues[node];
                if (id < 0 || _types[id] == PieceType.Unused)
                {
                    continue;
                }
                int length = keyPos + 1 - startsAt;
                ref var target = ref best[keyPos + 1];
                double score = _types[id] == PieceType.UserDefined
                    ? (double)((float)length * _maxScore) - 0.1
                    : _scores[id];
                double candidate = score + tillHere;
                if (target.StartsAt == -1 || candidate > target.Score)
                {
                    target.Score = (float)candidate;
                    target.StartsAt = startsAt;
                    target.Id = id;
                }
                if (!hasSingleNode && length == mblen)
                {
                    hasSingleNode = true;
                }
            }
            if (!hasSingleNode)
            {
                ref var target = ref best[startsAt + mblen];
                float candidate = unkScore + tillHere;
                if (target.StartsAt == -1 || candidate > target.Score)
                {
                    target.Score = candidate;
                    target.StartsAt = startsAt;
                    target.Id = UnkId;
                }
            }
            startsAt += mblen;
        }

        // backtrack
        var path = new List<(int Start, int End, int Id)>();
        for (int end = size; end > 0;)
        {
            var node = best[end];
            path.Add((node.StartsAt, end, node.Id));
            end = node.StartsAt;
        }
        path.Reverse();

        bool prevUnk = false;
        foreach (var (s, e, id) in path)
        {
            bool isUnk = id == UnkId;
            var (os, oe) = SpanOf(norm, s, e);
            if (isUnk && ByteFallback)
            {
                for (int k = s; k < e; k++)
                {
                    byte b = text[k];
                    int bid = _byteToId[b];
                    string piece = $"<0x{b:X2}>";
                    output.Add(new TokenSpan(piece, bid >= 0 ? bid : UnkId, os, oe));
                }
            }
            else if (isUnk && prevUnk)
            {
                var last = output[^1];
                output[^1] = new TokenSpan(
                    last.Piece + Encoding.UTF8.GetString(text[s..e]), UnkId, Math.Min(last.Start, os), Math.Max(last.End, oe));
            }
            else if (albertDigitComma && !isUnk && EndsWithDigitComma(_pieces[id]))
            {
                SplitDigitComma(norm, s, e, output);
            }
            else
            {
                output.Add(new TokenSpan(isUnk ? Encoding.UTF8.GetString(text[s..e]) : _pieces[id], id, os, oe));
            }
            prevUnk = isUnk;
        }
    }

    /// <summary>HF AlbertTokenizer: <c>len(piece) &gt; 1 and piece[-1] == "," and piece[-2].isdigit()</c>.</summary>
    private static bool EndsWithDigitComma(string piece)
    {
        if (piece.Length < 2 || piece[^1] != ',')
        {
            return false;
        }
        int cp = piece[^2];
        if (char.IsLowSurrogate(piece[^2]) && piece.Length >= 3 && char.IsHighSurrogate(piece[^3]))
        {
            cp = char.ConvertToUtf32(piece[^3], piece[^2]);
        }
        return UnicodeTables.IsDigit(cp);
    }

    /// <summary>
    /// HF AlbertTokenizer._tokenize's digit-comma rule: a piece such as "▁1,000," is re-encoded without
    /// its "▁" and final comma (<c>EncodeAsPieces(piece[:-1].replace("▁", ""))</c>), the leading "▁" the
    /// re-encoding adds is dropped when the original piece had none, and the comma becomes its own piece.
    /// </summary>
    private void SplitDigitComma(ByteText norm, int s, int e, List<TokenSpan> output)
    {
        var bytes = norm.Bytes;
        var sub = new AlignedText(e - s);
        int commaAt = e - 1;
        for (int k = s; k < commaAt;)
        {
            Rune.DecodeFromUtf8(bytes[k..commaAt], out Rune r, out int n);
            if (r.Value != 0x2581)
            {
                sub.AppendCodePoint(r.Value, norm.Starts[k], norm.Ends[k]);
            }
            k += Math.Max(n, 1);
        }
        var pieces = new List<TokenSpan>();
        Encode(sub, pieces);
        bool pieceHasSpace = bytes[s] == 0xE2 && e - s >= 3 && bytes[s + 1] == 0x96 && bytes[s + 2] == 0x81;
        if (!pieceHasSpace && pieces.Count > 0 && pieces[0].Piece.StartsWith('\u2581'))
        {
            if (pieces[0].Piece.Length == 1)
            {
                pieces.RemoveAt(0);
            }
            else
            {
                string p = pieces[0].Piece[1..];
                pieces[0] = pieces[0] with { Piece = p, Id = PieceToId(p) };
            }
        }
        output.AddRange(pieces);
        output.Add(new TokenSpan(",", PieceToId(","), norm.Starts[commaAt], norm.Ends[commaAt]));
    }

    /// <summary>
    /// Span in the original text of normalised bytes [s, e): the union of their spans, leaving out a
    /// leading ▁ (the space before a word belongs to no token, as in HF fast tokenizers' offsets).
    /// </summary>
    private static (int Start, int End) SpanOf(ByteText norm, int s, int e)
    {
        var bytes = norm.Bytes;
        int from = s;
        while (from + 3 < e && bytes[from] == 0xE2 && bytes[from + 1] == 0x96 && bytes[from + 2] == 0x81)
        {
            from += 3;
        }
        int start = int.MaxValue, end = int.MinValue;
        for (int k = from; k < e; k++)
        {
            int ks = norm.Starts[k], ke = norm.Ends[k];
            if (ks == ke)
            {
                continue;
            }
            start = Math.Min(start, ks);
            end = Math.Max(end, ke);
        }
        if (start == int.MaxValue)
        {
            // only empty spans (a dummy-prefix ▁): an empty span where the text resumes
            start = end = norm.Starts[from];
        }
        return (start, end);
    }

    private void AddUserDefined(string piece)
    {
        int node = 0;
        foreach (byte b in Encoding.UTF8.GetBytes(piece))
        {
            long key = ((long)node << 8) | b;
            if (!_userDefinedEdges.TryGetValue(key, out int next))
            {
                next = _userDefinedEnds.Count;
                _userDefinedEnds.Add(false);
                _userDefinedEdges.Add(key, next);
            }
            node = next;
        }
        _userDefinedEnds[node] = true;
    }

    /// <summary>Length of the longest user-defined symbol <paramref name="input"/> starts with, or 0.</summary>
    private int UserDefinedPrefix(ReadOnlySpan<byte> input)
    {
        if (_userDefinedEdges.Count == 0)
        {
            return 0;
        }
        int node = 0, longest = 0;
        for (int i = 0; i < input.Length && _userDefinedEdges.TryGetValue(((long)node << 8) | input[i], out node); i++)
        {
            if (_userDefinedEnds[node])
            {
                longest = i + 1;
            }
        }
        return longest;
    }

    private void AddToTrie(string piece, int id)
    {
        int node = 0;
        foreach (byte b in Encoding.UTF8.GetBytes(piece))
        {
            long key = ((long)node << 8) | b;
            if (!_trieEdges.TryGetValue(key, out int next))
            {
                next = _trieValues.Count;
                _trieValues.Add(-1);
                _trieEdges.Add(key, next);
            }
            node = next;
        }
        if (_trieValues[node] < 0)
        {
            _trieValues[node] = id;
        }
    }

    /// <summary>
    /// Decodes ids as <c>SentencePieceProcessor::Decode</c>: control pieces vanish, &lt;unk&gt; becomes
    /// <see cref="UnkSurface"/>, byte pieces are joined and decoded as UTF-8 (invalid bytes → U+FFFD),
    /// ▁ becomes a space and the first piece's leading ▁ is dropped.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var pieces = new string[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            pieces[i] = IdToPiece(ids[i]);
        }
        return DecodePieces(pieces);
    }

    /// <summary>Decodes piece strings as <c>SentencePieceProcessor::DecodePieces</c>.</summary>
    public string DecodePieces(IReadOnlyList<string> pieces)
    {
        var sb = new StringBuilder();
        var bytes = new List<byte>();
        bool bos = true;
        foreach (string piece in pieces)
        {
            int id = PieceToId(piece);
            if (_types[id] == PieceType.Byte && _pieceToId.ContainsKey(piece))
            {
                bytes.Add(Convert.ToByte(piece.Substring(3, 2), 16));
                continue;
            }
            FlushBytes(sb, bytes, ref bos);
            string surface;
            if (_types[id] == PieceType.Control)
            {
                surface = "";
            }
            else if (id == UnkId)
            {
                surface = piece == _pieces[UnkId] ? UnkSurface : piece;
            }
            else
            {
                var p = piece.AsSpan();
                if (bos && p.StartsWith("\u2581") && (_addDummyPrefix || _removeExtraWhitespaces))
                {
                    p = p[1..];
                }
                surface = p.ToString().Replace('\u2581', ' ');
            }
            sb.Append(surface);
            if (surface.Length > 0)
            {
                bos = false;
            }
        }
        FlushBytes(sb, bytes, ref bos);
        return sb.ToString();
    }

    private static void FlushBytes(StringBuilder sb, List<byte> bytes, ref bool bos)
    {
        if (bytes.Count == 0)
        {
            return;
        }
        // Decode like sentencepiece: valid sequences as text, each invalid byte as U+FFFD.
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
        while (span.Length > 0)
        {
            var status = Rune.DecodeFromUtf8(span, out Rune r, out int consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                sb.Append(r.ToString());
                span = span[consumed..];
            }
            else
            {
                sb.Append('\uFFFD');
                span = span[1..];
            }
        }
        bytes.Clear();
        bos = false;
    }

    /// <summary>Bytes with per-byte spans into the original text.</summary>
    private sealed class ByteText(int capacity)
    {
        private byte[] _bytes = new byte[Math.Max(capacity, 4)];
        private int[] _starts = new int[Math.Max(capacity, 4)];
        private int[] _ends = new int[Math.Max(capacity, 4)];

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, Length);

        public ReadOnlySpan<int> Starts => _starts.AsSpan(0, Length);

        public ReadOnlySpan<int> Ends => _ends.AsSpan(0, Length);

        public void Append(byte b, int s, int e)
        {
            if (Length == _bytes.Length)
            {
                int n = _bytes.Length * 2;
                Array.Resize(ref _bytes, n);
                Array.Resize(ref _starts, n);
                Array.Resize(ref _ends, n);
            }
            _bytes[Length] = b;
            _starts[Length] = s;
            _ends[Length] = e;
            Length++;
        }

        public void Truncate(int length) => Length = length;
    }
}
