using AlbertGen.Model;
using AlbertGen.Tasks.Training;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.Pretraining;

/// <summary>
/// Pretraining batches streamed from a corpus: documents are read and tokenized lazily (<see cref="CorpusReader"/>),
/// turned into ALBERT instances by <see cref="PretrainingDataBuilder"/> seeded with (seed, epoch) — fresh pairs and
/// masks each epoch (dynamic masking, as RoBERTa; the original's dupe_factor) — and step s takes instances
/// [s·B, (s+1)·B) of the endless sequence of epochs. Deterministic in (seed, step): a resumed run re-reads the stream
/// up to its step and sees the same data. Memory holds one document, the builder's small reservoir and a bounded
/// shuffle buffer (<see cref="ShuffleBufferSize"/> instances).
/// </summary>
public sealed class CorpusBatchSource : IPretrainingBatchSource
{
    readonly AlbertTokenizer _tokenizer;
    readonly IReadOnlyList<string> _paths;
    readonly PretrainingDataOptions _options;
    readonly int _batchSize;
    readonly ReplayableStream<PretrainingInstance> _stream;

    public CorpusBatchSource(AlbertTokenizer tokenizer, IReadOnlyList<string> paths, PretrainingDataOptions options, int batchSize)
    {
        if (batchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, found {batchSize}");
        if (paths.Count == 0) throw new ArgumentException("no corpus paths");
        options.Validate();
        _tokenizer = tokenizer;
        _paths = paths;
        _options = options;
        _batchSize = batchSize;
        _stream = new ReplayableStream<PretrainingInstance>(Epoch, "corpus");
        if (!_stream.Peek())
            throw new AlbertInputException("the corpus yields no training instances (empty, or documents too short)");
    }

    /// <summary>A fixed mix of (seed, epoch) (HashCode.Combine is randomised per process, so not usable here).</summary>
    static int EpochSeed(int seed, int epoch)
    {
        ulong x = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL);
        x ^= x >> 31;
        return (int)(x & 0x7FFFFFFF);
    }

    /// <summary>Instances held back to decorrelate consecutive batches (≈ 2 KB each at 128 tokens).</summary>
    public const int ShuffleBufferSize = 16384;

    /// <summary>
    /// One epoch: files in a seeded random order, and instances through a seeded shuffle buffer (as tf.data's
    /// <c>shuffle</c>; the original script shuffles all instances in memory). Without it a batch would hold one book
    /// at a time, and the SOP and MLM losses swing with the book.
    /// </summary>
    IEnumerable<PretrainingInstance> Epoch(int epoch)
    {
        int seed = EpochSeed(_options.Seed, epoch);
        var rng = new Random(seed ^ 0x5EED);
        var files = CorpusReader.Files(_paths).ToArray();
        rng.Shuffle(files);
        var builder = new PretrainingDataBuilder(_tokenizer, _options with { Seed = seed });
        var instances = CorpusReader.Documents(files, _tokenizer).SelectMany(builder.FromDocument);
        return ReplayableStream<PretrainingInstance>.Shuffled(instances, rng, ShuffleBufferSize);
    }

    public AlbertBatch BatchFor(long step)
    {
        _stream.SeekTo(step * _batchSize); // resume: replay the stream deterministically up to this step
        var batch = new List<PretrainingInstance>(_batchSize);
        for (int i = 0; i < _batchSize; i++) batch.Add(_stream.Next());
        return ToBatch(batch, _options.MaxSeqLength);
    }

    /// <summary>Instances (padded to <paramref name="seq"/>) as one batch with HF keyword labels.</summary>
    public static AlbertBatch ToBatch(IReadOnlyList<PretrainingInstance> instances, int seq)
    {
        int rows = instances.Count;
        var ids = new int[rows * seq];
        var mask = new int[rows * seq];
        var types = new int[rows * seq];
        var labels = new int[rows * seq];
        var order = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            var x = instances[r];
            x.InputIds.CopyTo(ids, r * seq);
            x.AttentionMask.CopyTo(mask, r * seq);
            x.TokenTypeIds.CopyTo(types, r * seq);
            x.Labels.CopyTo(labels, r * seq);
            order[r] = x.SentenceOrderLabel;
        }
        return new AlbertBatch(rows, seq, ids, mask, types) { Labels = labels, LabelsShape = [rows, seq], SentenceOrderLabel = order };
    }
}
