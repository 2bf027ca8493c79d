using AlbertGen.Model;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.Distillation;

/// <summary>
/// Sentence pairs with gold scores as training batches: each epoch visits every pair once in a seeded order; step s
/// takes pairs [s·B, (s+1)·B) of the endless sequence of epochs, so a batch depends only on (seed, step) and a resumed
/// run replays the stream. The order is bucketed by length: the shuffled epoch is cut into windows of
/// <see cref="BucketBatches"/> batches, each window sorted by its pairs' longer sentence and cut into batches, and the
/// batches of a window shuffled again — a batch then pads its rows to a similar length (STS-B's sentences run from 2 to
/// 56 words; unsorted, a batch of 32 pairs pads to its longest and computes about 2.5 × its real tokens). A batch holds the B first sentences, then the B second ones (rows i and B + i are a pair),
/// tokenized (truncated to the maximum length) and padded to the longest.
/// </summary>
public sealed class PairBatchSource
{
    /// <summary>Batches per length-sorted window.</summary>
    public const int BucketBatches = 50;

    readonly AlbertTokenizer _tokenizer;
    readonly IReadOnlyList<SentencePair> _pairs;
    readonly int _batchSize, _maxSeqLength, _seed;
    int _epoch = -1;
    int[] _order = [];

    public PairBatchSource(AlbertTokenizer tokenizer, IReadOnlyList<SentencePair> pairs, int batchSize, int maxSeqLength, int seed)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0) throw new ArgumentException("no sentence pairs");
        if (batchSize < 1) throw new ArgumentException($"--batch-size must be ≥ 1, found {batchSize}");
        if (maxSeqLength < 4) throw new ArgumentException($"--max-seq-length must be ≥ 4, found {maxSeqLength}");
        _tokenizer = tokenizer;
        _pairs = pairs;
        _batchSize = batchSize;
        _maxSeqLength = maxSeqLength;
        _seed = seed;
    }

    public int BatchSize => _batchSize;

    public int Count => _pairs.Count;

    /// <summary>The pairs of step <paramref name="step"/>, in batch order.</summary>
    public IReadOnlyList<SentencePair> PairsFor(long step)
    {
        var result = new List<SentencePair>(_batchSize);
        for (long k = step * _batchSize; result.Count < _batchSize; k++)
        {
            int epoch = checked((int)(k / _pairs.Count));
            if (epoch != _epoch)
            {
                _order = EpochOrder(epoch);
                _epoch = epoch;
            }
            result.Add(_pairs[_order[(int)(k % _pairs.Count)]]);
        }
        return result;
    }

    int[] EpochOrder(int epoch)
    {
        var rng = new Random(unchecked(_seed * 7919 + epoch * 104729) ^ 0x9A125);
        var order = Enumerable.Range(0, _pairs.Count).ToArray();
        rng.Shuffle(order);
        int window = _batchSize * BucketBatches;
        for (int w = 0; w < order.Length; w += window)
        {
            var sorted = order.Skip(w).Take(window).OrderBy(i => Math.Max(_pairs[i].A.Length, _pairs[i].B.Length)).ToArray();
            var batches = sorted.Chunk(_batchSize).ToArray();
            rng.Shuffle(batches);
            batches.SelectMany(b => b).ToArray().CopyTo(order, w);
        }
        return order;
    }

    /// <summary>The batch of step <paramref name="step"/>: 2B rows (first sentences, then second ones) and the B gold scores.</summary>
    public (AlbertBatch Batch, float[] Scores) BatchFor(long step)
    {
        var pairs = PairsFor(step);
        return (Encode(pairs.Select(p => p.A).Concat(pairs.Select(p => p.B)).ToList()), pairs.Select(p => (float)p.Score).ToArray());
    }

    /// <summary>Sentences as one padded batch.</summary>
    public AlbertBatch Encode(IReadOnlyList<string> texts) =>
        EncodedBatch.From(texts.Select(t => _tokenizer.Encode(t, maxLength: _maxSeqLength)).ToList(), _tokenizer.PadTokenId);
}
