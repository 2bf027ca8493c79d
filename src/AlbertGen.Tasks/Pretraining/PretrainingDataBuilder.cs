using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.Pretraining;

/// <summary>
/// ALBERT's pretraining data, as google-research/albert <c>create_pretraining_data.py</c> makes it: each document's
/// sentences are packed into segments up to a target length (shorter with <c>short_seq_prob</c>), split at a random
/// point into A and B, swapped with probability ½ (sentence-order label 1), truncated pair-wise from a random end,
/// then n-gram masked over whole words (n ≤ <c>ngram</c>, p(n) ∝ 1/n, 15% of tokens capped at
/// <c>max_predictions_per_seq</c>, 80% [MASK] / 10% random / 10% kept). A one-sentence chunk takes B from another
/// document (label 1), as the original does; we draw it from a bounded reservoir of earlier documents so the input
/// can be streamed. Deterministic for a seed.
/// </summary>
public sealed class PretrainingDataBuilder
{
    const int ReservoirSize = 256;
    readonly PretrainingDataOptions _options;
    readonly int _vocabSize, _cls, _sep, _mask, _pad;
    readonly bool[] _wordStart;   // piece starts a word (▁…)
    readonly bool[] _special;     // control / special pieces never masked nor drawn as random replacements
    readonly Random _rng;
    readonly List<int[][]> _reservoir = [];
    int _documentsSeen;

    public PretrainingDataBuilder(AlbertTokenizer tokenizer, PretrainingDataOptions options)
    {
        options.Validate();
        _options = options;
        Tokenizer = tokenizer;
        _vocabSize = tokenizer.VocabSize;
        _cls = tokenizer.ClsTokenId;
        _sep = tokenizer.SepTokenId;
        _mask = tokenizer.MaskTokenId;
        _pad = tokenizer.PadTokenId;
        _wordStart = new bool[_vocabSize];
        _special = new bool[_vocabSize];
        var specials = tokenizer.SpecialTokens.Select(tokenizer.TokenToId).ToHashSet();
        for (int id = 0; id < _vocabSize; id++)
        {
            string piece = tokenizer.IdToToken(id);
            _wordStart[id] = tokenizer is WordPieceAlbertTokenizer ? !piece.StartsWith("##", StringComparison.Ordinal) : piece.StartsWith('\u2581');
            _special[id] = specials.Contains(id);
        }
        _rng = new Random(options.Seed);
    }

    public AlbertTokenizer Tokenizer { get; }

    /// <summary>Instances of one document (a list of sentences, each already tokenized to ids).</summary>
    public IEnumerable<PretrainingInstance> FromDocument(IReadOnlyList<int[]> document)
    {
        var doc = document.Where(s => s.Length > 0).ToArray();
        if (doc.Length == 0) yield break;
        int maxTokens = _options.MaxSeqLength - 3;
        int target = _rng.NextDouble() < _options.ShortSeqProb ? _rng.Next(2, maxTokens + 1) : maxTokens;
        var chunk = new List<int[]>();
        int length = 0;
        for (int i = 0; i < doc.Length; i++)
        {
            chunk.Add(doc[i]);
            length += doc[i].Length;
            if (i == doc.Length - 1 || length >= target)
            {
                var instance = FromChunk(chunk, maxTokens);
                if (instance is not null) yield return instance;
                chunk.Clear();
                length = 0;
                // the original draws a new target length only once per document; so do we
            }
        }
        Remember(doc);
    }

    PretrainingInstance? FromChunk(List<int[]> chunk, int maxTokens)
    {
        int aEnd = chunk.Count >= 2 ? _rng.Next(1, chunk.Count) : 1;
        var a = chunk.Take(aEnd).SelectMany(s => s).ToList();
        List<int> b;
        int label;
        if (chunk.Count == 1)
        {
            // ALBERT (as BERT's NSP path): B from a random other document; nothing to pair with if none seen yet
            if (_reservoir.Count == 0) return null;
            var other = _reservoir[_rng.Next(_reservoir.Count)];
            int start = _rng.Next(other.Length);
            b = [];
            for (int j = start; j < other.Length && b.Count < maxTokens - a.Count; j++) b.AddRange(other[j]);
            if (b.Count == 0) b.AddRange(other[start]);
            label = 1;
        }
        else
        {
            b = chunk.Skip(aEnd).SelectMany(s => s).ToList();
            label = 0;
            if (_rng.NextDouble() < 0.5)
            {
                (a, b) = (b, a); // sentence-order prediction: swapped segments
                label = 1;
            }
        }
        TruncatePair(a, b, maxTokens);
        if (a.Count < 1 || b.Count < 1) return null;
        var tokens = new List<int>(a.Count + b.Count + 3) { _cls };
        tokens.AddRange(a);
        tokens.Add(_sep);
        int bStart = tokens.Count;
        tokens.AddRange(b);
        tokens.Add(_sep);
        return Mask(tokens, bStart, label);
    }

    void TruncatePair(List<int> a, List<int> b, int maxTokens)
    {
        while (a.Count + b.Count > maxTokens)
        {
            var longer = a.Count > b.Count ? a : b;
            if (_rng.NextDouble() < 0.5) longer.RemoveAt(0);
            else longer.RemoveAt(longer.Count - 1);
        }
    }

    /// <summary>Masks a built sequence ([CLS] A [SEP] B [SEP]) with fresh random choices (also used for dynamic masking).</summary>
    public PretrainingInstance Mask(IReadOnlyList<int> tokens, int segmentBStart, int sentenceOrderLabel)
    {
        int n = tokens.Count, seq = _options.MaxSeqLength;
        if (n > seq) throw new ArgumentException($"{n} tokens exceed max_seq_length {seq}");
        // candidate words: runs of pieces, a new word at each ▁ piece
        var words = new List<List<int>>();
        for (int i = 0; i < n; i++)
        {
            int id = tokens[i];
            if (id == _cls || id == _sep) continue;
            if (_options.WholeWordMask && words.Count > 0 && !_wordStart[id] && !_special[id]) words[^1].Add(i);
            else words.Add([i]);
        }
        int toPredict = Math.Min(_options.MaxPredictionsPerSeq, Math.Max(1, (int)Math.Round(n * _options.MaskedLmProb, MidpointRounding.ToEven)));
        if (_options.MaskedLmProb == 0) toPredict = 0;
        int maxN = _options.MaxNgram;
        var pvals = new double[maxN];
        for (int k = 0; k < maxN; k++) pvals[k] = _options.FavorShorterNgram ? 1.0 / (k + 1) : 1.0 / (maxN - k);

        var order = Enumerable.Range(0, words.Count).ToArray();
        Shuffle(order);
        var output = tokens.ToArray();
        var labels = new int[seq];
        Array.Fill(labels, -100);
        var covered = new HashSet<int>();
        int masked = 0;
        foreach (int w in order)
        {
            if (masked >= toPredict) break;
            int available = Math.Min(maxN, words.Count - w); // n-grams starting at word w
            if (available == 0) continue;
            int ngram = SampleNgram(pvals, available);
            var indexes = NgramIndexes(words, w, ngram);
            while (masked + indexes.Count > toPredict && ngram > 1)
                indexes = NgramIndexes(words, w, --ngram);
            if (masked + indexes.Count > toPredict) continue;
            if (indexes.Any(covered.Contains)) continue;
            foreach (int i in indexes)
            {
                covered.Add(i);
                int original = tokens[i];
                labels[i] = original;
                masked++;
                if (_rng.NextDouble() < 0.8) output[i] = _mask;
                else if (_rng.NextDouble() < 0.5) output[i] = original;
                else output[i] = RandomToken();
            }
        }

        var ids = new int[seq];
        var types = new int[seq];
        var attention = new int[seq];
        Array.Fill(ids, _pad);
        for (int i = 0; i < n; i++)
        {
            ids[i] = output[i];
            types[i] = i >= segmentBStart ? 1 : 0;
            attention[i] = 1;
        }
        return new PretrainingInstance(ids, types, attention, labels, sentenceOrderLabel);
    }

    static List<int> NgramIndexes(List<List<int>> words, int start, int n)
    {
        var result = new List<int>();
        for (int k = start; k < start + n; k++) result.AddRange(words[k]);
        return result;
    }

    int SampleNgram(double[] pvals, int available)
    {
        double total = 0;
        for (int k = 0; k < available; k++) total += pvals[k];
        double u = _rng.NextDouble() * total;
        for (int k = 0; k < available; k++)
        {
            u -= pvals[k];
            if (u < 0) return k + 1;
        }
        return available;
    }

    int RandomToken()
    {
        // the original draws from the whole vocabulary list; we skip control/special pieces so [CLS]/[SEP]/[MASK]/<pad> never appear as "random words"
        int id;
        do id = _rng.Next(_vocabSize); while (_special[id]);
        return id;
    }

    void Shuffle(int[] a)
    {
        for (int i = a.Length - 1; i > 0; i--)
        {
            int j = _rng.Next(i + 1);
            (a[i], a[j]) = (a[j], a[i]);
        }
    }

    void Remember(int[][] doc)
    {
        _documentsSeen++;
        if (_reservoir.Count < ReservoirSize) _reservoir.Add(doc);
        else
        {
            int j = _rng.Next(_documentsSeen);
            if (j < ReservoirSize) _reservoir[j] = doc;
        }
    }
}
