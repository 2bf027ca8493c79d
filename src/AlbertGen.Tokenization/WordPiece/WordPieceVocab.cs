namespace AlbertGen.Tokenization.WordPiece;

/// <summary>A BERT <c>vocab.txt</c>: one token per line, the line number is the id.</summary>
public sealed class WordPieceVocab
{
    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    public WordPieceVocab(IReadOnlyList<string> tokens)
    {
        if (tokens.Count == 0)
        {
            throw new TokenizerException("WordPiece vocabulary is empty");
        }
        _tokens = tokens.ToArray();
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
        {
            _ids[_tokens[i]] = i; // HF load_vocab: a repeated token keeps its last line
        }
    }

    public int Count => _tokens.Length;

    public static WordPieceVocab Load(string path)
    {
        try
        {
            // HF load_vocab: reader.readlines() in text mode (universal newlines: "\r\n", "\r" and "\n" end a line),
            // token = line.rstrip("\n"). A UTF-8 byte order mark is dropped (docs/decisions.md D32).
            return FromText(File.ReadAllText(path, System.Text.Encoding.UTF8));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerException($"cannot read WordPiece vocabulary '{path}': {e.Message}", e);
        }
    }

    /// <summary>A vocabulary from the text of a <c>vocab.txt</c> (one token per line, as <see cref="Load"/> reads it).</summary>
    public static WordPieceVocab FromText(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        int n = lines.Length;
        if (n > 0 && lines[^1].Length == 0)
        {
            n--;
        }
        return new WordPieceVocab(lines.AsSpan(0, n).ToArray());
    }

    public string this[int id] => (uint)id < (uint)_tokens.Length
        ? _tokens[id]
        : throw new ArgumentOutOfRangeException(nameof(id), id, "id outside the vocabulary");

    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);
}
