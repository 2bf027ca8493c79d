namespace AlbertGen.Tasks.Pretraining;

/// <summary>google-research/albert <c>create_pretraining_data.py</c> flags, with its defaults.</summary>
public sealed record PretrainingDataOptions
{
    /// <summary><c>max_seq_length</c>: [CLS] A [SEP] B [SEP] padded to this length.</summary>
    public int MaxSeqLength { get; init; } = 512;
    /// <summary><c>short_seq_prob</c>: probability of a shorter target length (to match fine-tuning lengths).</summary>
    public double ShortSeqProb { get; init; } = 0.1;
    /// <summary><c>masked_lm_prob</c>.</summary>
    public double MaskedLmProb { get; init; } = 0.15;
    /// <summary><c>max_predictions_per_seq</c>.</summary>
    public int MaxPredictionsPerSeq { get; init; } = 20;
    /// <summary><c>ngram</c>: longest masked n-gram (of whole words).</summary>
    public int MaxNgram { get; init; } = 3;
    /// <summary><c>favor_shorter_ngram</c>: p(n) ∝ 1/n (else ∝ 1/(max+1−n)).</summary>
    public bool FavorShorterNgram { get; init; } = true;
    /// <summary><c>do_whole_word_mask</c>: pieces not starting with ▁ join the previous word.</summary>
    public bool WholeWordMask { get; init; } = true;
    /// <summary>Seed of every random choice (the original script also draws from numpy's unseeded global RNG; we do not).</summary>
    public int Seed { get; init; } = 12345;

    public void Validate()
    {
        if (MaxSeqLength < 5) throw new ArgumentException("max_seq_length must be at least 5 ([CLS] a [SEP] b [SEP])");
        if (ShortSeqProb is < 0 or > 1) throw new ArgumentException("short_seq_prob must be in [0, 1]");
        if (MaskedLmProb is < 0 or > 1) throw new ArgumentException("masked_lm_prob must be in [0, 1]");
        if (MaxPredictionsPerSeq < 0) throw new ArgumentException("max_predictions_per_seq must be ≥ 0");
        if (MaxNgram < 1) throw new ArgumentException("ngram must be ≥ 1");
    }
}
