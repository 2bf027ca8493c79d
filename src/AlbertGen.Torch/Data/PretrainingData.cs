using AlbertGen.Model;
using AlbertGen.Torch.Training;

namespace AlbertGen.Torch.Data;

/// <summary>Settings of google-research/albert <c>create_pretraining_data.py</c> (its defaults).</summary>
public sealed record PretrainingDataOptions
{
    public int MaxSeqLength { get; init; } = 128;
    /// <summary>Probability of a shorter target length, uniform in [2, max_seq_length − 3].</summary>
    public double ShortSeqProb { get; init; } = 0.1;
    public double MaskedLmProb { get; init; } = 0.15;
    public int MaxPredictionsPerSeq { get; init; } = 20;
    /// <summary>Longest n-gram masked at once; p(n) ∝ 1/n (ALBERT's favor_shorter_ngram).</summary>
    public int MaxNgram { get; init; } = 3;

    public void Validate()
    {
        if (MaxSeqLength < 8) throw new ArgumentException($"max_seq_length must be ≥ 8, found {MaxSeqLength}");
        if (ShortSeqProb is < 0 or > 1) throw new ArgumentException($"short_seq_prob must be in [0, 1], found {ShortSeqProb}");
        if (MaskedLmProb is < 0 or > 1) throw new ArgumentException($"masked_lm_prob must be in [0, 1], found {MaskedLmProb}");
        if (MaxPredictionsPerSeq < 1) throw new ArgumentException($"max_predictions_per_seq must be ≥ 1, found {MaxPredictionsPerSeq}");
        if (MaxNgram < 1) throw new ArgumentException($"ngram must be ≥ 1, found {MaxNgram}");
    }
}

/// <summary>One pretraining example: [CLS] A [SEP] B [SEP] with masked tokens and their labels.</summary>
public sealed record TrainingInstance(int[] InputIds, int[] TokenTypeIds, int[] MaskedPositions, int[] MaskedLabels, bool IsSwapped)
{
    /// <summary>HF <c>sentence_order_label</c>: 0 = A before B as in the text, 1 = swapped (or B from another document).</summary>
    public int SentenceOrderLabel => IsSwapped ? 1 : 0;
}

/// <summary>
/// A port of google-research/albert <c>create_pretraining_data.py</c> over token ids: documents are lists of
/// segments (sentences as piece ids); each document is cut into chunks of up to a target length (max_seq_length − 3,
/// or a random shorter one with short_seq_prob), split at a random segment boundary into A and B, swapped with
/// probability 0.5 (sentence-order prediction; a chunk of one segment takes B from a random document, as ALBERT
/// does, and is labelled 1), truncated pair-wise from a random end, then masked: n-grams (n ≤ 3, p(n) ∝ 1/n) of whole
/// words (a word = a piece that starts with ▁ plus the pieces after it), masked_lm_prob of the tokens, at most
/// max_predictions_per_seq, each masked token 80% [MASK] / 10% kept / 10% a random id. Deterministic in the
/// <see cref="Random"/> it is given.
/// </summary>
public sealed class PretrainingDataBuilder
{
    readonly IPieceTokenizer _tok;
    readonly PretrainingDataOptions _o;

    public PretrainingDataBuilder(IPieceTokenizer tokenizer, PretrainingDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _tok = tokenizer;
        _o = options;
    }

    /// <summary>Reads text files (one sentence per line, a blank line between documents) into documents of piece-id segments.</summary>
    public List<List<int[]>> ReadDocuments(IEnumerable<string> files)
    {
        var docs = new List<List<int[]>> { new() };
        foreach (var f in files)
        {
            if (!File.Exists(f))
                throw new FileNotFoundException($"corpus file not found: {f}", f);
            foreach (var raw in File.ReadLines(f))
            {
                string line = raw.Trim();
                if (line.Length == 0)
                {
                    if (docs[^1].Count > 0) docs.Add([]);
                    continue;
                }
                var ids = _tok.Encode(line);
                if (ids.Length > 0) docs[^1].Add(ids);
            }
            if (docs[^1].Count > 0) docs.Add([]);
        }
        docs.RemoveAll(d => d.Count == 0);
        return docs;
    }

    /// <summary>All instances of one pass over the (shuffled) documents.</summary>
    public List<TrainingInstance> CreateInstances(List<List<int[]>> documents, Random rng)
    {
        var docs = documents.ToList();
        Shuffle(docs, rng);
        var instances = new List<TrainingInstance>();
        for (int d = 0; d < docs.Count; d++)
            instances.AddRange(CreateInstancesFromDocument(docs, d, rng));
        Shuffle(instances, rng);
        return instances;
    }

    public List<TrainingInstance> CreateInstancesFromDocument(List<List<int[]>> docs, int docIndex, Random rng)
    {
        var document = docs[docIndex];
        int maxTokens = _o.MaxSeqLength - 3;
        int target = maxTokens;
        if (rng.NextDouble() < _o.ShortSeqProb)
            target = rng.Next(2, maxTokens + 1);
        var instances = new List<TrainingInstance>();
        var chunk = new List<int[]>();
        int length = 0;
        for (int i = 0; i < document.Count; i++)
        {
            chunk.Add(document[i]);
            length += document[i].Length;
            if (i == document.Count - 1 || length >= target)
            {
                if (chunk.Count > 0)
                {
                    int aEnd = chunk.Count >= 2 ? rng.Next(1, chunk.Count) : 1;
                    var a = chunk.Take(aEnd).SelectMany(s => s).ToList();
                    var b = new List<int>();
                    bool swapped;
                    if (chunk.Count == 1)
                    {
                        // ALBERT: a single segment gets its B from a random other document (labelled 1)
                        swapped = true;
                        int targetB = target - a.Count;
                        int other = docIndex;
                        for (int t = 0; t < 10 && other == docIndex && docs.Count > 1; t++)
                            other = rng.Next(docs.Count);
                        var otherDoc = docs[other];
                        for (int j = rng.Next(otherDoc.Count); j < otherDoc.Count; j++)
                        {
                            b.AddRange(otherDoc[j]);
                            if (b.Count >= targetB) break;
                        }
                    }
                    else
                    {
                        for (int j = aEnd; j < chunk.Count; j++) b.AddRange(chunk[j]);
                        swapped = rng.NextDouble() < 0.5;
                        if (swapped) (a, b) = (b, a);
                    }
                    TruncatePair(a, b, maxTokens, rng);
                    if (a.Count >= 1 && b.Count >= 1)
                        instances.Add(Mask(a, b, swapped, rng));
                }
                chunk.Clear();
                length = 0;
            }
        }
        return instances;
    }

    static void TruncatePair(List<int> a, List<int> b, int maxTokens, Random rng)
    {
        while (a.Count + b.Count > maxTokens)
        {
            var longer = a.Count > b.Count ? a : b;
            if (rng.NextDouble() < 0.5) longer.RemoveAt(0);
            else longer.RemoveAt(longer.Count - 1);
        }
    }

    /// <summary>Draws n in [1, maxN] with p(n) ∝ 1/n.</summary>
    public static int SampleNgram(Random rng, int maxN)
    {
        double total = 0;
        for (int n = 1; n <= maxN; n++) total += 1.0 / n;
        double u = rng.NextDouble() * total;
        for (int n = 1; n <= maxN; n++)
        {
            u -= 1.0 / n;
            if (u < 0) return n;
        }
        return maxN;
    }

    TrainingInstance Mask(List<int> a, List<int> b, bool swapped, Random rng)
    {
        var tokens = new List<int>(a.Count + b.Count + 3) { _tok.ClsId };
        tokens.AddRange(a);
        tokens.Add(_tok.SepId);
        tokens.AddRange(b);
        tokens.Add(_tok.SepId);
        var types = new int[tokens.Count];
        for (int i = a.Count + 2; i < tokens.Count; i++) types[i] = 1;

        // whole-word candidates: a word-start piece and the pieces that continue it
        var words = new List<List<int>>();
        for (int i = 0; i < tokens.Count; i++)
        {
            if (i == 0 || i == a.Count + 1 || i == tokens.Count - 1) continue; // [CLS], [SEP]
            if (words.Count > 0 && !_tok.IsWordStart(tokens[i]) && words[^1][^1] == i - 1)
                words[^1].Add(i);
            else
                words.Add([i]);
        }
        int toPredict = Math.Min(_o.MaxPredictionsPerSeq, Math.Max(1, (int)Math.Round(tokens.Count * _o.MaskedLmProb, MidpointRounding.ToEven)));
        var output = tokens.ToArray();
        var masked = new List<(int Position, int Label)>();
        if (_o.MaskedLmProb > 0)
        {
            var starts = Enumerable.Range(0, words.Count).ToList();
            Shuffle(starts, rng);
            var covered = new HashSet<int>();
            foreach (int w in starts)
            {
                if (masked.Count >= toPredict) break;
                int available = Math.Min(_o.MaxNgram, words.Count - w); // n-grams that fit from this word
                int n = SampleNgram(rng, available);
                var positions = words.Skip(w).Take(n).SelectMany(x => x).ToList();
                // ALBERT: shorten the n-gram while it would exceed the budget; skip it if even one word does
                while (masked.Count + positions.Count > toPredict && n > 1)
                {
                    n--;
                    positions = words.Skip(w).Take(n).SelectMany(x => x).ToList();
                }
                if (masked.Count + positions.Count > toPredict) continue;
                if (positions.Any(covered.Contains)) continue;
                foreach (int p in positions)
                {
                    covered.Add(p);
                    int replacement;
                    if (rng.NextDouble() < 0.8) replacement = _tok.MaskId;
                    else if (rng.NextDouble() < 0.5) replacement = tokens[p];
                    else replacement = rng.Next(_tok.VocabSize);
                    output[p] = replacement;
                    masked.Add((p, tokens[p]));
                }
            }
        }
        masked.Sort((x, y) => x.Position.CompareTo(y.Position));
        return new TrainingInstance(output, types, masked.Select(m => m.Position).ToArray(), masked.Select(m => m.Label).ToArray(), swapped);
    }

    static void Shuffle<T>(IList<T> list, Random rng)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>Packs instances into an HF batch padded to max_seq_length: labels hold the original id at masked positions and −100 elsewhere.</summary>
    public AlbertBatch ToBatch(IReadOnlyList<TrainingInstance> instances)
    {
        int rows = instances.Count, seq = _o.MaxSeqLength;
        var ids = new int[rows * seq];
        var mask = new int[rows * seq];
        var types = new int[rows * seq];
        var labels = new int[rows * seq];
        Array.Fill(ids, _tok.PadId);
        Array.Fill(labels, AlbertLosses.IgnoreIndex);
        var order = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            var x = instances[r];
            x.InputIds.CopyTo(ids, r * seq);
            x.TokenTypeIds.CopyTo(types, r * seq);
            Array.Fill(mask, 1, r * seq, x.InputIds.Length);
            for (int k = 0; k < x.MaskedPositions.Length; k++) labels[r * seq + x.MaskedPositions[k]] = x.MaskedLabels[k];
            order[r] = x.SentenceOrderLabel;
        }
        return new AlbertBatch(rows, seq, ids, mask, types)
        {
            Labels = labels,
            LabelsShape = [rows, seq],
            SentenceOrderLabel = order,
        };
    }
}

/// <summary>
/// Batches from a corpus: epoch e's instances are made with a <see cref="Random"/> seeded by (seed, e) — fresh masks
/// and pairs each epoch, like create_pretraining_data's dupe_factor — and step s takes instances
/// [s·B, (s+1)·B) of the endless sequence of epochs. Deterministic in (seed, step), so a resumed run sees the same data.
/// </summary>
public sealed class CorpusBatchSource : IPretrainingBatchSource
{
    readonly PretrainingDataBuilder _builder;
    readonly List<List<int[]>> _documents;
    readonly int _batchSize;
    readonly long _seed;
    int _epoch = -1;
    List<TrainingInstance> _instances = [];

    public CorpusBatchSource(PretrainingDataBuilder builder, List<List<int[]>> documents, int batchSize, long seed)
    {
        if (documents.Count == 0 || documents.All(d => d.Sum(s => s.Length) == 0))
            throw new AlbertInputException("the corpus has no text");
        if (batchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, found {batchSize}");
        _builder = builder;
        _documents = documents;
        _batchSize = batchSize;
        _seed = seed;
        InstancesPerEpoch = Epoch(0).Count;
        if (InstancesPerEpoch == 0)
            throw new AlbertInputException("the corpus yields no training instances (documents too short?)");
    }

    public int InstancesPerEpoch { get; }

    /// <summary>A fixed mix of (seed, epoch) (HashCode.Combine is randomised per process, so not usable here).</summary>
    static int EpochSeed(long seed, int epoch)
    {
        ulong x = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL);
        x ^= x >> 31;
        return (int)(x & 0x7FFFFFFF);
    }

    List<TrainingInstance> Epoch(int e)
    {
        if (e != _epoch)
        {
            _instances = _builder.CreateInstances(_documents, new Random(EpochSeed(_seed, e)));
            _epoch = e;
        }
        return _instances;
    }

    public AlbertBatch BatchFor(long step)
    {
        var batch = new List<TrainingInstance>(_batchSize);
        long first = step * _batchSize;
        for (long k = first; k < first + _batchSize; k++)
        {
            // epochs may differ slightly in size (random pairing); index each epoch by its own count
            int e = (int)(k / InstancesPerEpoch);
            var inst = Epoch(e);
            batch.Add(inst[(int)(k % InstancesPerEpoch % inst.Count)]);
        }
        return _builder.ToBatch(batch);
    }
}
