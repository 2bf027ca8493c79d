namespace AlbertGen.Tasks.Embeddings;

/// <summary>sentence-transformers' Pooling modes that AlbertGen computes (<c>1_Pooling/config.json</c>'s <c>pooling_mode_*</c>).</summary>
public enum EmbeddingPooling
{
    /// <summary>Mean of the attended tokens' last hidden states (<c>pooling_mode_mean_tokens</c>).</summary>
    Mean,

    /// <summary>The first token's ([CLS]) last hidden state (<c>pooling_mode_cls_token</c>).</summary>
    Cls,

    /// <summary>Element-wise maximum over the attended tokens (<c>pooling_mode_max_tokens</c>).</summary>
    Max,
}
