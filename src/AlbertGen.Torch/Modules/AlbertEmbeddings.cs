using AlbertGen.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Modules;

/// <summary>HF <c>AlbertEmbeddings</c>: LayerNorm(word + token_type + position). Keys: <c>embeddings.*</c>.</summary>
public sealed class AlbertEmbeddings : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are HF state-dict keys
    readonly Embedding word_embeddings;       // (V, E), padding_idx = pad_token_id (its row gets no gradient)
    readonly Embedding position_embeddings;   // (P, E)
    readonly Embedding token_type_embeddings; // (T, E)
    readonly LayerNorm LayerNorm;             // (E)
    readonly Dropout dropout;
#pragma warning restore IDE1006

    public AlbertEmbeddings(AlbertConfig c) : base(nameof(AlbertEmbeddings))
    {
        word_embeddings = nn.Embedding(c.VocabSize, c.EmbeddingSize, padding_idx: c.PadTokenId);
        position_embeddings = nn.Embedding(c.MaxPositionEmbeddings, c.EmbeddingSize);
        token_type_embeddings = nn.Embedding(c.TypeVocabSize, c.EmbeddingSize);
        LayerNorm = nn.LayerNorm([c.EmbeddingSize], c.LayerNormEps);
        dropout = nn.Dropout(c.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <summary>The word-embedding matrix (V, E); the MLM decoder is tied to it.</summary>
    public Parameter WordEmbeddingWeight => word_embeddings.weight!;

    /// <param name="inputIds">(B, S) int64</param>
    /// <param name="tokenTypeIds">(B, S) int64</param>
    /// <returns>(B, S, E)</returns>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        long seq = inputIds.shape[1];
        var positionIds = arange(seq, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        // HF order: (inputs_embeds + token_type_embeddings) + position_embeddings
        var x = word_embeddings.forward(inputIds) + token_type_embeddings.forward(tokenTypeIds);
        x = x + position_embeddings.forward(positionIds);
        x = dropout.forward(LayerNorm.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}
