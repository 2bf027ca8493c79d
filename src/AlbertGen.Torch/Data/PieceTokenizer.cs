namespace AlbertGen.Torch.Data;

/// <summary>
/// What the pretraining data pipeline needs from a tokenizer: text → piece ids, which pieces start a word
/// (SentencePiece's <c>▁</c>), and the special ids. The real ALBERT tokenizer lives in AlbertGen.Tokenization (not
/// merged yet); anything can be adapted with <see cref="FromDelegates"/>.
/// </summary>
public interface IPieceTokenizer
{
    int VocabSize { get; }
    int ClsId { get; }
    int SepId { get; }
    int MaskId { get; }
    int PadId { get; }
    /// <summary>Piece ids of one line of text (no [CLS]/[SEP]).</summary>
    int[] Encode(string text);
    /// <summary>True when the piece begins a word (SentencePiece pieces starting with <c>▁</c>): whole-word masking keeps the rest of the word with it.</summary>
    bool IsWordStart(int id);

    /// <summary>Adapts a <c>Func&lt;string, int[]&gt;</c> encoder.</summary>
    public static IPieceTokenizer FromDelegates(Func<string, int[]> encode, Func<int, bool> isWordStart, int vocabSize,
        int clsId, int sepId, int maskId, int padId) =>
        new DelegateTokenizer(encode, isWordStart, vocabSize, clsId, sepId, maskId, padId);

    sealed record DelegateTokenizer(Func<string, int[]> EncodeFn, Func<int, bool> IsWordStartFn, int VocabSize, int ClsId, int SepId, int MaskId, int PadId) : IPieceTokenizer
    {
        public int[] Encode(string text) => EncodeFn(text);
        public bool IsWordStart(int id) => IsWordStartFn(id);
    }
}

/// <summary>
/// A stopgap tokenizer over a piece list, until AlbertGen.Tokenization is merged: reads <c>spiece.vocab</c>
/// (SentencePiece's exported vocabulary, <c>piece\tscore</c> per line) or <c>vocab.txt</c> (one piece per line) and
/// encodes lower-cased, whitespace-split words as <c>▁word</c> by greedy longest match (not SentencePiece's Unigram
/// Viterbi; ids agree on simple text only). Special pieces <c>[CLS]</c>, <c>[SEP]</c>, <c>[MASK]</c>, <c>&lt;pad&gt;</c>,
/// <c>&lt;unk&gt;</c> must be in the list.
/// </summary>
public sealed class GreedyPieceTokenizer : IPieceTokenizer
{
    public const char WordStart = '\u2581'; // ▁
    readonly Dictionary<string, int> _ids;
    readonly string[] _pieces;
    readonly int _unk, _maxPieceLength;

    public GreedyPieceTokenizer(IReadOnlyList<string> pieces)
    {
        _pieces = [.. pieces];
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _pieces.Length; i++) _ids.TryAdd(_pieces[i], i);
        int Need(string p) => _ids.TryGetValue(p, out int id) ? id : throw new InvalidDataException($"tokenizer vocabulary has no '{p}' piece");
        ClsId = Need("[CLS]");
        SepId = Need("[SEP]");
        MaskId = Need("[MASK]");
        PadId = Need("<pad>");
        _unk = Need("<unk>");
        _maxPieceLength = _pieces.Max(p => p.Length);
    }

    /// <summary>Loads <c>spiece.vocab</c> or <c>vocab.txt</c> from a folder (or that file itself).</summary>
    public static GreedyPieceTokenizer Load(string path)
    {
        string file = path;
        if (Directory.Exists(path))
        {
            file = new[] { "spiece.vocab", "vocab.txt" }.Select(f => Path.Combine(path, f)).FirstOrDefault(File.Exists)
                ?? throw new FileNotFoundException($"{path}: no spiece.vocab or vocab.txt (the full tokenizer is not merged yet; see docs/torch.md)");
        }
        if (!File.Exists(file))
            throw new FileNotFoundException($"tokenizer vocabulary not found: {file}", file);
        var pieces = File.ReadAllLines(file).Select(l => l.Split('\t')[0]).ToList();
        return new GreedyPieceTokenizer(pieces);
    }

    public int VocabSize => _pieces.Length;
    public int ClsId { get; }
    public int SepId { get; }
    public int MaskId { get; }
    public int PadId { get; }

    public bool IsWordStart(int id) => (uint)id < (uint)_pieces.Length && _pieces[id].Length > 0 && _pieces[id][0] == WordStart;

    public int[] Encode(string text)
    {
        var ids = new List<int>();
        foreach (var word in text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            string w = WordStart + word;
            int at = 0;
            while (at < w.Length)
            {
                int len = Math.Min(_maxPieceLength, w.Length - at);
                for (; len > 0; len--)
                {
                    if (_ids.TryGetValue(w.Substring(at, len), out int id))
                    {
                        ids.Add(id);
                        break;
                    }
                }
                if (len == 0)
                {
                    ids.Add(_unk);
                    len = 1;
                }
                at += len;
            }
        }
        return [.. ids];
    }
}
