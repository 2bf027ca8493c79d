using AlbertGen.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Modules;

/// <summary>HF <c>AlbertLayer</c>: attention, then full_layer_layer_norm(attended + ffn_output(act(ffn(attended)))).</summary>
public sealed class AlbertLayer : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are HF state-dict keys
    readonly LayerNorm full_layer_layer_norm; // (H)
    readonly AlbertAttention attention;
    readonly Linear ffn;                      // (F, H)
    readonly Linear ffn_output;               // (H, F)
#pragma warning restore IDE1006
    readonly ActivationKind _activation;

    public AlbertLayer(AlbertConfig c) : base(nameof(AlbertLayer))
    {
        full_layer_layer_norm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        attention = new AlbertAttention(c);
        ffn = nn.Linear(c.HiddenSize, c.IntermediateSize);
        ffn_output = nn.Linear(c.IntermediateSize, c.HiddenSize);
        _activation = c.Activation;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var attended = attention.forward(hidden, additiveMask);
        var ffnOut = Autocast.Linear(ffn_output, Activation.Apply(_activation, Autocast.Linear(ffn, attended)));
        return full_layer_layer_norm.forward(ffnOut + attended).MoveToOuterDisposeScope();
    }
}

/// <summary>HF <c>AlbertLayerGroup</c>: inner_group_num layers applied in turn. Keys: <c>albert_layers.{j}.*</c>.</summary>
public sealed class AlbertLayerGroup : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    readonly ModuleList<AlbertLayer> albert_layers;
#pragma warning restore IDE1006

    public AlbertLayerGroup(AlbertConfig c) : base(nameof(AlbertLayerGroup))
    {
        albert_layers = nn.ModuleList(Enumerable.Range(0, c.InnerGroupNum).Select(_ => new AlbertLayer(c)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var x = hidden;
        foreach (var layer in albert_layers)
            x = layer.forward(x, additiveMask);
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// HF <c>AlbertTransformer</c>: embedding_hidden_mapping_in, then num_hidden_layers applications of the shared
/// group <c>int(i / (num_hidden_layers / num_hidden_groups))</c>. The group modules exist once; every layer that
/// uses a group runs the same parameters (their gradients accumulate).
/// </summary>
public sealed class AlbertTransformer : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    readonly Linear embedding_hidden_mapping_in;         // (H, E)
    readonly ModuleList<AlbertLayerGroup> albert_layer_groups;
#pragma warning restore IDE1006
    readonly AlbertConfig _config;

    public AlbertTransformer(AlbertConfig c) : base(nameof(AlbertTransformer))
    {
        _config = c;
        embedding_hidden_mapping_in = nn.Linear(c.EmbeddingSize, c.HiddenSize);
        albert_layer_groups = nn.ModuleList(Enumerable.Range(0, c.NumHiddenGroups).Select(_ => new AlbertLayerGroup(c)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor embeddings, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var x = Autocast.Linear(embedding_hidden_mapping_in, embeddings);
        for (int i = 0; i < _config.NumHiddenLayers; i++)
            x = albert_layer_groups[_config.GroupOfLayer(i)].forward(x, additiveMask);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// HF's <c>output_hidden_states</c>: the mapped embeddings, then the output of every layer — num_hidden_layers + 1
    /// tensors (B, S, H), the last = last_hidden_state. The caller disposes them (or their scope does).
    /// </summary>
    public Tensor[] ForwardHiddenStates(Tensor embeddings, Tensor additiveMask)
    {
        var states = new Tensor[_config.NumHiddenLayers + 1];
        states[0] = Autocast.Linear(embedding_hidden_mapping_in, embeddings);
        for (int i = 0; i < _config.NumHiddenLayers; i++)
            states[i + 1] = albert_layer_groups[_config.GroupOfLayer(i)].forward(states[i], additiveMask);
        return states;
    }
}
