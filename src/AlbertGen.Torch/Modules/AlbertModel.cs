using AlbertGen.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Modules;

/// <summary>HF <c>AlbertModel</c>: embeddings → encoder → optional pooler tanh(pooler(h[:, 0])).</summary>
public sealed class AlbertModel : nn.Module
{
#pragma warning disable IDE1006 // field names are HF state-dict keys
    readonly AlbertEmbeddings embeddings;
    readonly AlbertTransformer encoder;
    readonly Linear? pooler;           // (H, H), only for heads HF builds with add_pooling_layer
#pragma warning restore IDE1006

    public AlbertModel(AlbertConfig c, bool addPoolingLayer) : base(nameof(AlbertModel))
    {
        embeddings = new AlbertEmbeddings(c);
        encoder = new AlbertTransformer(c);
        if (addPoolingLayer)
            pooler = nn.Linear(c.HiddenSize, c.HiddenSize);
        RegisterComponents();
    }

    public AlbertEmbeddings Embeddings => embeddings;

    /// <summary>HF's <c>hidden_states</c> (<c>output_hidden_states=True</c>): num_hidden_layers + 1 tensors (B, S, H), embeddings first.</summary>
    public Tensor[] HiddenStates(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var mask = AdditiveMask(attentionMask);
        using var embedded = embeddings.forward(inputIds, tokenTypeIds);
        return encoder.ForwardHiddenStates(embedded, mask);
    }

    /// <summary>HF's extended attention mask: (1 − mask) · finfo(float32).min, shaped (B, 1, 1, S).</summary>
    public static Tensor AdditiveMask(Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var m = attentionMask.unsqueeze(1).unsqueeze(2).to_type(ScalarType.Float32);
        return ((1.0 - m) * float.MinValue).MoveToOuterDisposeScope();
    }

    /// <param name="inputIds">(B, S) int64</param>
    /// <param name="attentionMask">(B, S) int64, 1 = attend</param>
    /// <param name="tokenTypeIds">(B, S) int64</param>
    /// <returns>last_hidden_state (B, S, H) and pooler_output (B, H) or null</returns>
    public (Tensor LastHiddenState, Tensor? PoolerOutput) Forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        var mask = AdditiveMask(attentionMask);
        var hidden = encoder.forward(embeddings.forward(inputIds, tokenTypeIds), mask);
        Tensor? pooled = null;
        if (pooler is not null)
            pooled = tanh(Autocast.Linear(pooler, hidden.select(1, 0))).MoveToOuterDisposeScope();
        return (hidden.MoveToOuterDisposeScope(), pooled);
    }
}

/// <summary>HF <c>AlbertMLMHead</c>: decoder(LayerNorm(act(dense(h)))) with decoder.bias = bias; decoder.weight tied to the word embeddings unless tie_word_embeddings is false.</summary>
public sealed class AlbertMLMHead : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    readonly LayerNorm LayerNorm;  // (E)
    readonly Parameter bias;       // (V)
    readonly Linear dense;         // (E, H)
    readonly Linear decoder;       // (V, E): weight = word_embeddings.weight when tied; bias = this.bias
#pragma warning restore IDE1006
    readonly ActivationKind _activation;

    public AlbertMLMHead(AlbertConfig c, Parameter? tiedWordEmbeddings) : base(nameof(AlbertMLMHead))
    {
        LayerNorm = nn.LayerNorm([c.EmbeddingSize], c.LayerNormEps);
        bias = new Parameter(zeros(c.VocabSize));
        dense = nn.Linear(c.HiddenSize, c.EmbeddingSize);
        decoder = nn.Linear(c.EmbeddingSize, c.VocabSize);
        decoder.bias = bias;
        if (tiedWordEmbeddings is not null)
            decoder.weight = tiedWordEmbeddings;
        _activation = c.Activation;
        RegisterComponents();
    }

    /// <summary>Re-ties decoder.weight to <paramref name="wordEmbeddings"/> (when tied) and decoder.bias to bias, after a device move made copies.</summary>
    public void TieWeights(Parameter? wordEmbeddings)
    {
        if (wordEmbeddings is not null)
            decoder.weight = wordEmbeddings;
        decoder.bias = bias;
    }

    /// <returns>(B, S, V) prediction scores</returns>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var x = LayerNorm.forward(Activation.Apply(_activation, Autocast.Linear(dense, hidden)));
        return Autocast.Linear(decoder, x).MoveToOuterDisposeScope();
    }
}

/// <summary>HF <c>AlbertSOPHead</c>: classifier(dropout(pooled)).</summary>
public sealed class AlbertSOPHead : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    readonly Dropout dropout;
    readonly Linear classifier;    // (num_labels, H)
#pragma warning restore IDE1006

    public AlbertSOPHead(AlbertConfig c) : base(nameof(AlbertSOPHead))
    {
        dropout = nn.Dropout(c.ClassifierDropoutProb);
        classifier = nn.Linear(c.HiddenSize, c.NumLabels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor pooled)
    {
        using var scope = NewDisposeScope();
        return Autocast.Linear(classifier, dropout.forward(pooled)).MoveToOuterDisposeScope();
    }
}
