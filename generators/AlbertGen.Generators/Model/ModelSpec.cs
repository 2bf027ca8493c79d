using AlbertGen.Rules;

namespace AlbertGen.Generators.Model;

/// <summary>
/// A validated ALBERT config, as everything the emitter needs (strings, numbers and equatable arrays only).
/// Values are HF <c>AlbertConfig</c>'s, defaults filled in; Google's <c>albert_config.json</c> already mapped.
/// </summary>
internal sealed record ModelSpec
{
    public string ClassName { get; init; } = "";
    public string Namespace { get; init; } = "";
    /// <summary>Short, machine-independent name of the config file (<c>folder/config.json</c>), for docs and errors.</summary>
    public string SourceName { get; init; } = "";
    /// <summary>Where the type name came from, to report duplicates at the right file.</summary>
    public LocationInfo? Location { get; init; }
    /// <summary><c>AlbertGenEmbedWeights="true"</c>: the build embeds the packed weights and <c>Load()</c> runs on them (D37).</summary>
    public bool EmbedWeights { get; init; }

    public int VocabSize { get; init; }
    public int EmbeddingSize { get; init; }
    public int HiddenSize { get; init; }
    public int NumHiddenLayers { get; init; }
    public int NumHiddenGroups { get; init; }
    public int NumAttentionHeads { get; init; }
    public int IntermediateSize { get; init; }
    public int InnerGroupNum { get; init; }
    public string HiddenAct { get; init; } = "";
    /// <summary>Member name of <c>AlbertGen.Config.ActivationKind</c>.</summary>
    public string ActivationKind { get; init; } = "";
    public float HiddenDropoutProb { get; init; }
    public float AttentionProbsDropoutProb { get; init; }
    public int MaxPositionEmbeddings { get; init; }
    public int TypeVocabSize { get; init; }
    public float InitializerRange { get; init; }
    public float LayerNormEps { get; init; }
    public float ClassifierDropoutProb { get; init; }
    public string PositionEmbeddingType { get; init; } = "";
    public int PadTokenId { get; init; }
    public int BosTokenId { get; init; }
    public int EosTokenId { get; init; }
    public bool TieWordEmbeddings { get; init; }
    public EquatableArray<string> Architectures { get; init; } = EquatableArray<string>.Empty;
    public string? ProblemType { get; init; }
    public EquatableArray<string> Id2Label { get; init; } = EquatableArray<string>.Empty;
    public bool IsGoogleFormat { get; init; }

    /// <summary>Member names of <c>AlbertGen.Config.AlbertHead</c> the typed API offers, the default one first.</summary>
    public EquatableArray<string> Heads { get; init; } = EquatableArray<string>.Empty;
    /// <summary>Group of each layer: <c>int(i / (num_hidden_layers / num_hidden_groups))</c>.</summary>
    public EquatableArray<int> LayerGroups { get; init; } = EquatableArray<int>.Empty;

    /// <summary>The values the shared rules (<c>src/AlbertGen.Core/Rules</c>) read, as they checked them; the weight lists come from them.</summary>
    public ConfigValues Rules { get; init; } = new();

    public string FullName => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;
    public int HeadSize => HiddenSize / NumAttentionHeads;
    public int NumLabels => Id2Label.Count;
}
