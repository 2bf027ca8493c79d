using AlbertGen.Model;
using AlbertGen.Tasks.Pretraining;
using AlbertGen.Tasks.Training;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.Distillation;

/// <summary>
/// Single sentences for distillation, as padded batches. Text files (or folders of <c>*.txt</c>) are split into
/// sentences as <see cref="CorpusReader"/> does; a <c>.tsv</c> file gives its <c>sentence</c> column (SST-2), or the
/// fourth column of a header-less four-column file (CoLA). Sentences shorter than <see cref="MinCharacters"/> are
/// skipped. The first <c>devCount</c> sentences (files in ordinal order) are held out as <see cref="Dev"/> and never
/// trained on. Each epoch reads the files in a seeded order through a seeded shuffle buffer; step s takes sentences
/// [s·B, (s+1)·B) of the endless sequence of epochs, so the stream is deterministic in (seed, step) and a resumed run
/// replays it to its step.
/// </summary>
public sealed class SentenceBatchSource
{
    public const int MinCharacters = 16;
    public const int ShuffleBufferSize = 8192;

    readonly AlbertTokenizer _tokenizer;
    readonly string[] _files;
    readonly HashSet<string> _dev;
    readonly int _batchSize, _maxSeqLength, _seed;
    readonly ReplayableStream<string> _stream;

    public SentenceBatchSource(AlbertTokenizer tokenizer, IReadOnlyList<string> paths, int batchSize, int maxSeqLength, int seed, int devCount)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (paths.Count == 0) throw new ArgumentException("no corpus paths");
        if (batchSize < 1) throw new ArgumentException($"--batch-size must be ≥ 1, found {batchSize}");
        if (maxSeqLength < 4) throw new ArgumentException($"--max-seq-length must be ≥ 4, found {maxSeqLength}");
        if (devCount < 0) throw new ArgumentException($"dev sentences must be ≥ 0, found {devCount}");
        _tokenizer = tokenizer;
        _files = Files(paths).ToArray();
        _batchSize = batchSize;
        _maxSeqLength = maxSeqLength;
        _seed = seed;
        Dev = Sentences(_files).Take(devCount).ToList();
        _dev = new HashSet<string>(Dev, StringComparer.Ordinal);
        _stream = new ReplayableStream<string>(Epoch, "sentence");
        if (!_stream.Peek())
            throw new AlbertInputException($"the corpus yields no training sentences (each needs ≥ {MinCharacters} characters; {Dev.Count} were held out for evaluation)");
    }

    /// <summary>The held-out sentences (the corpus's first ones), for measuring the student against the teacher.</summary>
    public IReadOnlyList<string> Dev { get; }

    public int BatchSize => _batchSize;

    /// <summary>The batch of step <paramref name="step"/>: B sentences, tokenized (truncated to the maximum length) and padded to the longest.</summary>
    public AlbertBatch BatchFor(long step)
    {
        _stream.SeekTo(step * _batchSize);
        var texts = new List<string>(_batchSize);
        for (int i = 0; i < _batchSize; i++) texts.Add(_stream.Next());
        return Encode(texts);
    }

    /// <summary>Sentences as one padded batch.</summary>
    public AlbertBatch Encode(IReadOnlyList<string> texts) =>
        EncodedBatch.From(texts.Select(t => _tokenizer.Encode(t, maxLength: _maxSeqLength)).ToList(), _tokenizer.PadTokenId);

    IEnumerable<string> Epoch(int epoch)
    {
        var rng = new Random(unchecked(_seed * 7919 + epoch * 104729) ^ 0x5EED);
        var files = (string[])_files.Clone();
        rng.Shuffle(files);
        return ReplayableStream<string>.Shuffled(Sentences(files).Where(s => !_dev.Contains(s)), rng, ShuffleBufferSize);
    }

    /// <summary>Files as given, folders as their <c>*.txt</c> and <c>*.tsv</c> in ordinal order.</summary>
    static IEnumerable<string> Files(IEnumerable<string> paths)
    {
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                foreach (var f in Directory.GetFiles(p, "*.*", SearchOption.AllDirectories)
                             .Where(f => f.EndsWith(".txt", StringComparison.Ordinal) || f.EndsWith(".tsv", StringComparison.Ordinal))
                             .Order(StringComparer.Ordinal))
                    yield return f;
            }
            else if (File.Exists(p))
                yield return p;
            else
                throw new FileNotFoundException($"corpus path not found: {p}", p);
        }
    }

    static IEnumerable<string> Sentences(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            var sentences = file.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase)
                ? TsvSentences(file)
                : File.ReadLines(file).Where(l => l.Trim().Length > 0).SelectMany(CorpusReader.Sentences);
            foreach (var s in sentences)
            {
                var t = s.Trim();
                if (t.Length >= MinCharacters) yield return t;
            }
        }
    }

    /// <summary>A TSV's sentences: the <c>sentence</c> column under a header (SST-2), or column 4 of a header-less CoLA file.</summary>
    static IEnumerable<string> TsvSentences(string file)
    {
        int column = -1;
        int lineNo = 0;
        foreach (var line in File.ReadLines(file))
        {
            lineNo++;
            if (line.Length == 0) continue;
            var cells = line.Split('\t');
            if (column < 0)
            {
                column = Array.IndexOf(cells, "sentence");
                if (column >= 0) continue; // the header
                column = cells.Length == 4 ? 3
                    : throw new AlbertInputException($"{file}:{lineNo}: a .tsv needs a 'sentence' column in its header, or CoLA's four columns");
            }
            if (column >= cells.Length)
                throw new AlbertInputException($"{file}:{lineNo}: {cells.Length} columns, the sentence is column {column + 1}");
            yield return cells[column];
        }
    }
}
