using System.Globalization;
using AlbertGen.Config;

namespace AlbertGen.Model;

/// <summary>
/// The exact list of HF tensor names and shapes a config and head need, declared once (as llama.cpp declares
/// its tensors). Names are those of an <c>AlbertFor*</c> checkpoint: encoder tensors carry the <c>albert.</c>
/// prefix (bare <c>AlbertModel</c> checkpoints omit it; the loader accepts both). The tied
/// <c>predictions.decoder.*</c> aliases are not listed: like HF, they are tied on load.
/// </summary>
public static class AlbertWeightNames
{
    public const string BasePrefix = "albert.";

    public static string Inv(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Name prefix of layer <paramref name="inner"/> of group <paramref name="group"/>.</summary>
    public static string LayerPrefix(int group, int inner) =>
        $"{BasePrefix}encoder.albert_layer_groups.{Inv(group)}.albert_layers.{Inv(inner)}.";

    /// <summary>All tensors for <paramref name="head"/>, in dataflow order.</summary>
    public static IReadOnlyList<WeightSpec> For(AlbertConfig c, AlbertHead head)
    {
        int v = c.VocabSize, e = c.EmbeddingSize, h = c.HiddenSize, f = c.IntermediateSize;
        var list = new List<WeightSpec>
        {
            new(BasePrefix + "embeddings.word_embeddings.weight", [v, e]),
            new(BasePrefix + "embeddings.position_embeddings.weight", [c.MaxPositionEmbeddings, e]),
            new(BasePrefix + "embeddings.token_type_embeddings.weight", [c.TypeVocabSize, e]),
            new(BasePrefix + "embeddings.LayerNorm.weight", [e]),
            new(BasePrefix + "embeddings.LayerNorm.bias", [e]),
            new(BasePrefix + "encoder.embedding_hidden_mapping_in.weight", [h, e]),
            new(BasePrefix + "encoder.embedding_hidden_mapping_in.bias", [h]),
        };
        for (int g = 0; g < c.NumHiddenGroups; g++)
        {
            for (int j = 0; j < c.InnerGroupNum; j++)
            {
                string p = LayerPrefix(g, j);
                list.Add(new(p + "attention.query.weight", [h, h]));
                list.Add(new(p + "attention.query.bias", [h]));
                list.Add(new(p + "attention.key.weight", [h, h]));
                list.Add(new(p + "attention.key.bias", [h]));
                list.Add(new(p + "attention.value.weight", [h, h]));
                list.Add(new(p + "attention.value.bias", [h]));
                list.Add(new(p + "attention.dense.weight", [h, h]));
                list.Add(new(p + "attention.dense.bias", [h]));
                list.Add(new(p + "attention.LayerNorm.weight", [h]));
                list.Add(new(p + "attention.LayerNorm.bias", [h]));
                list.Add(new(p + "ffn.weight", [f, h]));
                list.Add(new(p + "ffn.bias", [f]));
                list.Add(new(p + "ffn_output.weight", [h, f]));
                list.Add(new(p + "ffn_output.bias", [h]));
                list.Add(new(p + "full_layer_layer_norm.weight", [h]));
                list.Add(new(p + "full_layer_layer_norm.bias", [h]));
            }
        }
        if (head.HasPooler())
        {
            list.Add(new(BasePrefix + "pooler.weight", [h, h]));
            list.Add(new(BasePrefix + "pooler.bias", [h]));
        }
        switch (head)
        {
            case AlbertHead.PreTraining:
            case AlbertHead.MaskedLM:
                list.Add(new("predictions.bias", [v]));
                list.Add(new("predictions.dense.weight", [e, h]));
                list.Add(new("predictions.dense.bias", [e]));
                list.Add(new("predictions.LayerNorm.weight", [e]));
                list.Add(new("predictions.LayerNorm.bias", [e]));
                if (!c.TieWordEmbeddings)
                    list.Add(new("predictions.decoder.weight", [v, e]));
                if (head == AlbertHead.PreTraining)
                {
                    list.Add(new("sop_classifier.classifier.weight", [c.NumLabels, h]));
                    list.Add(new("sop_classifier.classifier.bias", [c.NumLabels]));
                }
                break;
            case AlbertHead.SequenceClassification:
            case AlbertHead.TokenClassification:
                list.Add(new("classifier.weight", [c.NumLabels, h]));
                list.Add(new("classifier.bias", [c.NumLabels]));
                break;
            case AlbertHead.QuestionAnswering:
                list.Add(new("qa_outputs.weight", [c.NumLabels, h]));
                list.Add(new("qa_outputs.bias", [c.NumLabels]));
                break;
            case AlbertHead.MultipleChoice:
                list.Add(new("classifier.weight", [1, h]));
                list.Add(new("classifier.bias", [1]));
                break;
        }
        return list;
    }
}
