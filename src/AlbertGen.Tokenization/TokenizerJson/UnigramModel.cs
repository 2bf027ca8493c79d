using System.Text;

namespace AlbertGen.Tokenization.TokenizerJson;

/// <summary>
/// HF tokenizers' <c>Unigram</c> model (tokenizers/src/models/unigram/model.rs, <c>encode_optimized</c> and
/// <c>tokenize</c>): Viterbi over the UTF-8 bytes of one pre-tokenized word in double precision, every vocabulary
/// entry in the trie (control pieces included), unknown score = min of all scores − 10, consecutive unknown
/// characters fused into one token whose value is their text, byte fallback applied to that fused text.
/// </summary>
internal sealed class UnigramModel
{
    private const double UnkPenalty = 10.0;

    private readonly string[] _pieces;
    private readonly double[] _scores;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<long, int> _edges = [];
    private readonly List<int> _values = [-1];
    private readonly double _minScore = double.PositiveInfinity;

    public UnigramModel(IReadOnlyList<(string Piece, double Score)> vocab, int? unkId, bool byteFallback)
    {
        if (vocab.Count == 0)
        {
            throw new TokenizerException("tokenizer.json: the Unigram vocabulary is empty");
        }
        if (unkId is int u && (uint)u >= (uint)vocab.Count)
        {
            throw new TokenizerException($"tokenizer.json: unk_id {u} is outside the vocabulary ({vocab.Count} entries)");
        }
        _pieces = new string[vocab.Count];
        _scores = new double[vocab.Count];
        _ids = new Dictionary<string, int>(vocab.Count, StringComparer.Ordinal);
        for (int i = 0; i < vocab.Count; i++)
        {
            var (piece, score) = vocab[i];
            _pieces[i] = piece;
            _scores[i] = score;
            _minScore = Math.Min(_minScore, score);
            // the library's token_to_ids keeps the last id of a duplicated piece; the trie has it once
            _ids[piece] = i;
            if (piece.Length > 0)
            {
                AddToTrie(piece, i);
            }
        }
        UnkId = unkId;
        ByteFallback = byteFallback;
    }

    public int Count => _pieces.Length;

    public int? UnkId { get; }

    public bool ByteFallback { get; }

    public string IdToPiece(int id) => _pieces[id];

    public bool TryGetId(string piece, out int id) => _ids.TryGetValue(piece, out id);

    private struct Node
    {
        public int Id;
        public double Score;
        public int StartsAt;
    }

    /// <summary>Tokens of one word (<paramref name="bytes"/>, UTF-8) as (id, value, byte start, byte end).</summary>
    public void Tokenize(ReadOnlySpan<byte> bytes, List<(int Id, string Value, int Start, int End)> output)
    {
        int size = bytes.Length;
        if (size == 0)
        {
            return;
        }
        double unkScore = _minScore - UnkPenalty;
        var best = new Node[size + 1];
        for (int i = 0; i <= size; i++)
        {
            best[i].StartsAt = -1;
            best[i].Id = -1;
        }
        int startsAt = 0;
        while (startsAt < size)
        {
            double tillHere = best[startsAt].Score;
            bool hasSingleNode = false;
            int mblen = Math.Min(CharLength(bytes[startsAt]), size - startsAt);
            int node = 0;
            for (int keyPos = startsAt; keyPos < size; keyPos++)
            {
                if (!_edges.TryGetValue(((long)node << 8) | bytes[keyPos], out node))
                {
                    break;
                }
                int id = _values[node];
                if (id < 0)
                {
                    continue;
                }
                int length = keyPos + 1 - startsAt;
                ref var target = ref best[keyPos + 1];
                double candidate = _scores[id] + tillHere;
                if (target.StartsAt == -1 || candidate > target.Score)
                {
                    target.Score = candidate;
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
                double candidate = unkScore + tillHere;
                if (target.StartsAt == -1 || candidate > target.Score)
                {
                    target.Score = candidate;
                    target.StartsAt = startsAt;
                    target.Id = UnkId ?? -1;
                }
            }
            startsAt += mblen;
        }

        // backtrack, fusing unknown runs (fuse_unk is always on for Unigram)
        var path = new List<(int Id, int Start, int End)>();
        for (int end = size; end > 0;)
        {
            var n = best[end];
            bool unk = UnkId is int u && n.Id == u;
            if (unk && path.Count > 0 && path[^1].Id == n.Id)
            {
                path[^1] = (n.Id, n.StartsAt, path[^1].End);
            }
            else
            {
                path.Add((n.Id, n.StartsAt, end));
            }
            end = n.StartsAt;
        }
        path.Reverse();

        foreach (var (id, s, e) in path)
        {
            string value = Encoding.UTF8.GetString(bytes[s..e]);
            if (id >= 0 && !(UnkId is int u && id == u && value != _pieces[id]))
            {
                output.Add((id, value, s, e));
                continue;
            }
            if (ByteFallback)
            {
                var bytesIds = new int[e - s];
                bool all = true;
                for (int k = s; k < e && all; k++)
                {
                    all = _ids.TryGetValue($"<0x{bytes[k]:X2}>", out bytesIds[k - s]);
                }
                if (all)
                {
                    for (int k = s; k < e; k++)
                    {
                        output.Add((bytesIds[k - s], $"<0x{bytes[k]:X2}>", s, e));
                    }
                    continue;
                }
            }
            if (UnkId is not int unkId)
            {
                throw new TokenizerException("tokenizer.json: the Unigram model has no unk_id and met an unknown character");
            }
            output.Add((unkId, value, s, e));
        }
    }

    private static int CharLength(byte b) => b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;

    private void AddToTrie(string piece, int id)
    {
        int node = 0;
        foreach (byte b in Encoding.UTF8.GetBytes(piece))
        {
            long key = ((long)node << 8) | b;
            if (!_edges.TryGetValue(key, out int next))
            {
                next = _values.Count;
                _values.Add(-1);
                _edges.Add(key, next);
            }
            node = next;
        }
        _values[node] = id;
    }
}
