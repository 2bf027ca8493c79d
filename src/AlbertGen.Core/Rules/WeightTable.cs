// Shared ALBERT rules (see AlbertDefaults.cs): compiled into Core and linked into the generator.
using System.Collections.Generic;
using System.Globalization;

namespace AlbertGen.Rules;

/// <summary>A tensor dimension in config terms; <see cref="WeightTable.DimKey"/> gives the config key.</summary>
internal enum Dim
{
    Vocab,
    Embedding,
    Hidden,
    Intermediate,
    MaxPositions,
    TypeVocab,
    Labels,
    One,
}

/// <summary>A tensor as declared: HF name (without the <c>albert.</c> prefix where it has one) and its dimensions.</summary>
internal sealed record WeightTemplate(string Name, Dim[] Dims);

/// <summary>A tensor for one config: HF name, shape, and the shape in config terms (<c>hidden_size, embedding_size</c>).</summary>
internal sealed record WeightEntry(string Name, int[] Shape, string Dims);

/// <summary>
/// The HF tensors of an ALBERT checkpoint, declared once with their shapes (as llama.cpp declares its tensors), in
/// dataflow order: embeddings, the stored layers (<c>num_hidden_groups × inner_group_num</c>), the pooler, the head.
/// Encoder tensors carry <see cref="BasePrefix"/>, as in <c>AlbertFor*</c> checkpoints. The tied
/// <c>predictions.decoder.weight</c> is listed only when <c>tie_word_embeddings</c> is false (HF ties it on load).
/// </summary>
internal static class WeightTable
{
    public const string BasePrefix = "albert.";

    /// <summary>Embeddings and the projection to the hidden size (prefixed with <see cref="BasePrefix"/>).</summary>
    public static readonly WeightTemplate[] Embeddings =
    {
        new("embeddings.word_embeddings.weight", new[] { Dim.Vocab, Dim.Embedding }),
        new("embeddings.position_embeddings.weight", new[] { Dim.MaxPositions, Dim.Embedding }),
        new("embeddings.token_type_embeddings.weight", new[] { Dim.TypeVocab, Dim.Embedding }),
        new("embeddings.LayerNorm.weight", new[] { Dim.Embedding }),
        new("embeddings.LayerNorm.bias", new[] { Dim.Embedding }),
        new("encoder.embedding_hidden_mapping_in.weight", new[] { Dim.Hidden, Dim.Embedding }),
        new("encoder.embedding_hidden_mapping_in.bias", new[] { Dim.Hidden }),
    };

    /// <summary>One stored <c>AlbertLayer</c>, named after <see cref="LayerPrefix"/>.</summary>
    public static readonly WeightTemplate[] Layer =
    {
        new("attention.query.weight", new[] { Dim.Hidden, Dim.Hidden }),
        new("attention.query.bias", new[] { Dim.Hidden }),
        new("attention.key.weight", new[] { Dim.Hidden, Dim.Hidden }),
        new("attention.key.bias", new[] { Dim.Hidden }),
        new("attention.value.weight", new[] { Dim.Hidden, Dim.Hidden }),
        new("attention.value.bias", new[] { Dim.Hidden }),
        new("attention.dense.weight", new[] { Dim.Hidden, Dim.Hidden }),
        new("attention.dense.bias", new[] { Dim.Hidden }),
        new("attention.LayerNorm.weight", new[] { Dim.Hidden }),
        new("attention.LayerNorm.bias", new[] { Dim.Hidden }),
        new("ffn.weight", new[] { Dim.Intermediate, Dim.Hidden }),
        new("ffn.bias", new[] { Dim.Intermediate }),
        new("ffn_output.weight", new[] { Dim.Hidden, Dim.Intermediate }),
        new("ffn_output.bias", new[] { Dim.Hidden }),
        new("full_layer_layer_norm.weight", new[] { Dim.Hidden }),
        new("full_layer_layer_norm.bias", new[] { Dim.Hidden }),
    };

    /// <summary><c>tanh(pooler(h[:, 0]))</c> (prefixed with <see cref="BasePrefix"/>), for heads with <see cref="HeadRule.HasPooler"/>.</summary>
    public static readonly WeightTemplate[] Pooler =
    {
        new("pooler.weight", new[] { Dim.Hidden, Dim.Hidden }),
        new("pooler.bias", new[] { Dim.Hidden }),
    };

    /// <summary>The masked-LM head (<c>AlbertMLMHead</c>); the last entry is the decoder, listed only when untied.</summary>
    public static readonly WeightTemplate[] Predictions =
    {
        new("predictions.bias", new[] { Dim.Vocab }),
        new("predictions.dense.weight", new[] { Dim.Embedding, Dim.Hidden }),
        new("predictions.dense.bias", new[] { Dim.Embedding }),
        new("predictions.LayerNorm.weight", new[] { Dim.Embedding }),
        new("predictions.LayerNorm.bias", new[] { Dim.Embedding }),
        new(UntiedDecoder, new[] { Dim.Vocab, Dim.Embedding }),
    };

    /// <summary>The masked-LM decoder; when tied, HF (and <c>AlbertCheckpoint</c>) read it from the word embeddings.</summary>
    public const string UntiedDecoder = "predictions.decoder.weight";

    /// <summary>The config key a dimension stands for (<c>1</c> for <see cref="Dim.One"/>).</summary>
    public static string DimKey(Dim dim) => dim switch
    {
        Dim.Vocab => "vocab_size",
        Dim.Embedding => "embedding_size",
        Dim.Hidden => "hidden_size",
        Dim.Intermediate => "intermediate_size",
        Dim.MaxPositions => "max_position_embeddings",
        Dim.TypeVocab => "type_vocab_size",
        Dim.Labels => "num_labels",
        _ => "1",
    };

    public static int Size(ConfigValues c, Dim dim) => dim switch
    {
        Dim.Vocab => c.VocabSize,
        Dim.Embedding => c.EmbeddingSize,
        Dim.Hidden => c.HiddenSize,
        Dim.Intermediate => c.IntermediateSize,
        Dim.MaxPositions => c.MaxPositionEmbeddings,
        Dim.TypeVocab => c.TypeVocabSize,
        Dim.Labels => c.NumLabels,
        _ => 1,
    };

    /// <summary>Name prefix of layer <paramref name="inner"/> of group <paramref name="group"/>.</summary>
    public static string LayerPrefix(int group, int inner) =>
        BasePrefix + "encoder.albert_layer_groups." + Inv(group) + ".albert_layers." + Inv(inner) + ".";

    /// <summary>Every tensor <paramref name="head"/> needs, in dataflow order. Only for validated configs (<see cref="ConfigRules.Check"/>): the list has a row per stored layer tensor.</summary>
    public static List<WeightEntry> For(ConfigValues c, HeadRule head)
    {
        var list = Encoder(c);
        list.AddRange(HeadTensors(c, head));
        return list;
    }

    /// <summary>The tensors every head shares: embeddings and the stored layers.</summary>
    public static List<WeightEntry> Encoder(ConfigValues c)
    {
        var list = new List<WeightEntry>(Embeddings.Length + c.NumHiddenGroups * c.InnerGroupNum * Layer.Length);
        foreach (var t in Embeddings)
            list.Add(Resolve(c, BasePrefix + t.Name, t.Dims));
        for (int g = 0; g < c.NumHiddenGroups; g++)
        {
            for (int j = 0; j < c.InnerGroupNum; j++)
            {
                string prefix = LayerPrefix(g, j);
                foreach (var t in Layer)
                    list.Add(Resolve(c, prefix + t.Name, t.Dims));
            }
        }
        return list;
    }

    /// <summary>The tensors after the encoder: the pooler (if the head has one) and the head's own.</summary>
    public static List<WeightEntry> HeadTensors(ConfigValues c, HeadRule head)
    {
        var list = new List<WeightEntry>();
        foreach (var (name, dims) in HeadTemplates(head, c.TieWordEmbeddings))
            list.Add(Resolve(c, name, dims));
        return list;
    }

    /// <summary>Full names and dimensions of <see cref="HeadTensors"/>, without sizes.</summary>
    public static IEnumerable<(string Name, Dim[] Dims)> HeadTemplates(HeadRule head, bool tieWordEmbeddings)
    {
        if (head.HasPooler)
        {
            foreach (var t in Pooler)
                yield return (BasePrefix + t.Name, t.Dims);
        }
        if (head.HasPredictions)
        {
            foreach (var t in Predictions)
            {
                if (t.Name != UntiedDecoder || !tieWordEmbeddings)
                    yield return (t.Name, t.Dims);
            }
        }
        if (head.Classifier is not null)
        {
            yield return (head.Classifier + ".weight", new[] { head.ClassifierOutputs, Dim.Hidden });
            yield return (head.Classifier + ".bias", new[] { head.ClassifierOutputs });
        }
    }

    /// <summary>Elements of a tensor with <paramref name="dims"/> (in <see cref="long"/>: checked against the budgets before any list is built).</summary>
    public static long Elements(ConfigValues c, Dim[] dims)
    {
        long n = 1;
        foreach (var d in dims)
            n *= Size(c, d);
        return n;
    }

    private static WeightEntry Resolve(ConfigValues c, string name, Dim[] dims)
    {
        var shape = new int[dims.Length];
        var keys = new string[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            shape[i] = Size(c, dims[i]);
            keys[i] = DimKey(dims[i]);
        }
        return new WeightEntry(name, shape, string.Join(", ", keys));
    }

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);
}
