using AlbertGen.Config;
using AlbertGen.Rules;

namespace AlbertGen.Model;

/// <summary>
/// Parameter counts split as the ALBERT paper argues them: the factorised embedding (V×E + E×H) against BERT's
/// V×H, and the shared layers (stored once per group) against what unshared layers would need.
/// </summary>
public sealed record AlbertParameterCount(
    long Embeddings,              // word (V×E) + position (P×E) + token type (T×E) + LayerNorm (2E)
    long EmbeddingProjection,     // embedding_hidden_mapping_in: E×H + H
    long FactorizedVocabulary,    // V×E + E×H: the paper's factorised cost
    long UnfactorizedVocabulary,  // V×H: what BERT pays
    long LayerParameters,         // one AlbertLayer
    long StoredLayers,            // groups × inner_group_num layers actually stored
    long UnsharedEquivalent,      // num_hidden_layers × inner_group_num layers if nothing were shared
    long Pooler,
    long Head,
    long Total)
{
    public static AlbertParameterCount For(AlbertConfig c, AlbertHead head)
    {
        long v = c.VocabSize, e = c.EmbeddingSize, h = c.HiddenSize, f = c.IntermediateSize;
        long embeddings = v * e + (long)c.MaxPositionEmbeddings * e + (long)c.TypeVocabSize * e + 2 * e;
        long projection = e * h + h;
        var values = c.ToRuleValues();
        long layer = WeightTable.Layer.Sum(t => WeightTable.Elements(values, t.Dims)); // 4(H² + H) + 2H + (FH + F) + (HF + H) + 2H
        long stored = (long)c.NumHiddenGroups * c.InnerGroupNum * layer;
        long unshared = (long)c.NumHiddenLayers * c.InnerGroupNum * layer;
        long pooler = head.HasPooler() ? h * h + h : 0;
        long headParams = AlbertWeightNames.For(c, head)
            .Where(w => !w.Name.StartsWith(AlbertWeightNames.BasePrefix, StringComparison.Ordinal))
            .Sum(w => w.ElementCount);
        return new AlbertParameterCount(embeddings, projection, v * e + e * h, v * h, layer, stored, unshared, pooler, headParams,
            embeddings + projection + stored + pooler + headParams);
    }
}
