using static TorchSharp.torch;

namespace AlbertGen.Torch.Distillation;

/// <summary>
/// The sentence-pair objective of albertize (D40): CoSENT (Su, 2022; sentence-transformers' <c>CoSENTLoss</c>) on the
/// cosines of mean-pooled sentence vectors — log(1 + Σ exp(λ·(cos_j − cos_i))) over the pairs (i, j) of the batch whose
/// gold scores order them score_i &gt; score_j, λ = 20. It asks only that the cosines rank the pairs as the gold scores
/// do, which is what Spearman measures, and leaves the cosine scale to the model.
/// </summary>
public static class PairLoss
{
    /// <summary>λ, the scale of the cosine differences (sentence-transformers' default).</summary>
    public const double CoSentScale = 20.0;

    /// <summary>The mean over attended tokens: (B, S, H) with a (B, S) mask → (B, H).</summary>
    public static Tensor MeanPool(Tensor hidden, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var mask = attentionMask.to_type(hidden.dtype).unsqueeze(-1);
        return ((hidden * mask).sum(1) / mask.sum(1).clamp_min(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Cosines of rows i and B + i of a (2B, H) matrix (first sentences, then second ones) → (B).</summary>
    public static Tensor PairCosines(Tensor pooled)
    {
        long rows = pooled.shape[0];
        if (rows % 2 != 0) throw new ArgumentException($"{rows} pooled rows: a pair batch holds 2B rows (first sentences, then second ones)");
        using var scope = NewDisposeScope();
        long b = rows / 2;
        return nn.functional.cosine_similarity(pooled[..(int)b], pooled[(int)b..], 1, 1e-8).MoveToOuterDisposeScope();
    }

    /// <summary>CoSENT: log(1 + Σ_{score_i &gt; score_j} exp(λ·(cos_j − cos_i))); 0 gradient when no two scores differ.</summary>
    public static Tensor CoSent(Tensor cosines, Tensor scores, double scale = CoSentScale)
    {
        if (cosines.shape.Length != 1 || scores.shape.Length != 1 || cosines.shape[0] != scores.shape[0])
            throw new ArgumentException($"CoSENT needs two vectors of one length, found [{string.Join(", ", cosines.shape)}] and [{string.Join(", ", scores.shape)}]");
        using var scope = NewDisposeScope();
        var diff = (cosines.unsqueeze(0) - cosines.unsqueeze(1)) * scale;            // [i, j] = λ(cos_j − cos_i)
        var ordered = scores.unsqueeze(1) > scores.unsqueeze(0);                    // [i, j]: score_i > score_j
        var masked = diff.masked_fill(ordered.logical_not(), -1e12).flatten();
        var all = cat([zeros(1, dtype: masked.dtype, device: masked.device), masked]);
        return all.logsumexp(0).MoveToOuterDisposeScope();
    }
}
