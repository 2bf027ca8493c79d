using System.Collections.Generic;
using AlbertGen.Generators.Model;

namespace AlbertGen.Generators;

/// <summary>One tensor the generated model declares: HF name, shape, and the shape in config terms for the docs.</summary>
internal sealed record WeightEntry(string Name, int[] Shape, string Dims);

/// <summary>
/// The HF tensor names and shapes a config and head need, in dataflow order. Must equal the runtime's
/// <c>AlbertGen.Model.AlbertWeightNames.For</c> (a test holds the two together; the generated <c>Load</c> also
/// checks it against the runtime at load time, to catch a generator/Core version skew).
/// </summary>
internal static class WeightList
{
    public const string BasePrefix = "albert.";

    public static List<WeightEntry> For(ModelSpec c, string head)
    {
        int v = c.VocabSize, e = c.EmbeddingSize, h = c.HiddenSize, f = c.IntermediateSize, l = c.NumLabels;
        var list = new List<WeightEntry>
        {
            new(BasePrefix + "embeddings.word_embeddings.weight", new[] { v, e }, "vocab_size, embedding_size"),
            new(BasePrefix + "embeddings.position_embeddings.weight", new[] { c.MaxPositionEmbeddings, e }, "max_position_embeddings, embedding_size"),
            new(BasePrefix + "embeddings.token_type_embeddings.weight", new[] { c.TypeVocabSize, e }, "type_vocab_size, embedding_size"),
            new(BasePrefix + "embeddings.LayerNorm.weight", new[] { e }, "embedding_size"),
            new(BasePrefix + "embeddings.LayerNorm.bias", new[] { e }, "embedding_size"),
            new(BasePrefix + "encoder.embedding_hidden_mapping_in.weight", new[] { h, e }, "hidden_size, embedding_size"),
            new(BasePrefix + "encoder.embedding_hidden_mapping_in.bias", new[] { h }, "hidden_size"),
        };
        for (int g = 0; g < c.NumHiddenGroups; g++)
        {
            for (int j = 0; j < c.InnerGroupNum; j++)
            {
                string p = BasePrefix + "encoder.albert_layer_groups." + Parser.Inv(g) + ".albert_layers." + Parser.Inv(j) + ".";
                list.Add(new(p + "attention.query.weight", new[] { h, h }, "hidden_size, hidden_size"));
                list.Add(new(p + "attention.query.bias", new[] { h }, "hidden_size"));
                list.Add(new(p + "attention.key.weight", new[] { h, h }, "hidden_size, hidden_size"));
                list.Add(new(p + "attention.key.bias", new[] { h }, "hidden_size"));
                list.Add(new(p + "attention.value.weight", new[] { h, h }, "hidden_size, hidden_size"));
                list.Add(new(p + "attention.value.bias", new[] { h }, "hidden_size"));
                list.Add(new(p + "attention.dense.weight", new[] { h, h }, "hidden_size, hidden_size"));
                list.Add(new(p + "attention.dense.bias", new[] { h }, "hidden_size"));
                list.Add(new(p + "attention.LayerNorm.weight", new[] { h }, "hidden_size"));
                list.Add(new(p + "attention.LayerNorm.bias", new[] { h }, "hidden_size"));
                list.Add(new(p + "ffn.weight", new[] { f, h }, "intermediate_size, hidden_size"));
                list.Add(new(p + "ffn.bias", new[] { f }, "intermediate_size"));
                list.Add(new(p + "ffn_output.weight", new[] { h, f }, "hidden_size, intermediate_size"));
                list.Add(new(p + "ffn_output.bias", new[] { h }, "hidden_size"));
                list.Add(new(p + "full_layer_layer_norm.weight", new[] { h }, "hidden_size"));
                list.Add(new(p + "full_layer_layer_norm.bias", new[] { h }, "hidden_size"));
            }
        }
        if (HasPooler(head))
        {
            list.Add(new(BasePrefix + "pooler.weight", new[] { h, h }, "hidden_size, hidden_size"));
            list.Add(new(BasePrefix + "pooler.bias", new[] { h }, "hidden_size"));
        }
        switch (head)
        {
            case "PreTraining":
            case "MaskedLM":
                list.Add(new("predictions.bias", new[] { v }, "vocab_size"));
                list.Add(new("predictions.dense.weight", new[] { e, h }, "embedding_size, hidden_size"));
                list.Add(new("predictions.dense.bias", new[] { e }, "embedding_size"));
                list.Add(new("predictions.LayerNorm.weight", new[] { e }, "embedding_size"));
                list.Add(new("predictions.LayerNorm.bias", new[] { e }, "embedding_size"));
                if (!c.TieWordEmbeddings)
                    list.Add(new("predictions.decoder.weight", new[] { v, e }, "vocab_size, embedding_size"));
                if (head == "PreTraining")
                {
                    list.Add(new("sop_classifier.classifier.weight", new[] { l, h }, "num_labels, hidden_size"));
                    list.Add(new("sop_classifier.classifier.bias", new[] { l }, "num_labels"));
                }
                break;
            case "SequenceClassification":
            case "TokenClassification":
                list.Add(new("classifier.weight", new[] { l, h }, "num_labels, hidden_size"));
                list.Add(new("classifier.bias", new[] { l }, "num_labels"));
                break;
            case "QuestionAnswering":
                list.Add(new("qa_outputs.weight", new[] { l, h }, "num_labels, hidden_size"));
                list.Add(new("qa_outputs.bias", new[] { l }, "num_labels"));
                break;
            case "MultipleChoice":
                list.Add(new("classifier.weight", new[] { 1, h }, "1, hidden_size"));
                list.Add(new("classifier.bias", new[] { 1 }, "1"));
                break;
        }
        return list;
    }

    /// <summary>Whether HF builds this head's <c>AlbertModel</c> with a pooler (<c>add_pooling_layer</c>).</summary>
    public static bool HasPooler(string head) =>
        head is "Base" or "PreTraining" or "SequenceClassification" or "MultipleChoice";
}
