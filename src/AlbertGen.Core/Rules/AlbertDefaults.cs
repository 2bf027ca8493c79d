// Shared ALBERT rules: compiled into AlbertGen.Core (net10.0) and linked into the source generator (netstandard2.0,
// see its csproj). Plain values in, plain values out: no Roslyn, no System.Text.Json (docs/decisions.md D19).
using System;

namespace AlbertGen.Rules;

/// <summary>
/// HF <c>AlbertConfig</c>'s defaults (<c>transformers/models/albert/configuration_albert.py</c>, xxlarge shapes), the
/// keys AlbertGen requires, and how Google's original <c>albert_config.json</c> is recognised and read.
/// </summary>
internal static class AlbertDefaults
{
    public const int VocabSize = 30000;
    public const int EmbeddingSize = 128;
    public const int HiddenSize = 4096;
    public const int NumHiddenLayers = 12;
    public const int NumHiddenGroups = 1;
    public const int NumAttentionHeads = 64;
    public const int IntermediateSize = 16384;
    public const int InnerGroupNum = 1;
    public const string HiddenAct = "gelu_new";
    public const float HiddenDropoutProb = 0f;
    public const float AttentionProbsDropoutProb = 0f;
    public const int MaxPositionEmbeddings = 512;
    public const int TypeVocabSize = 2;
    public const float InitializerRange = 0.02f;
    public const float LayerNormEps = 1e-12f;
    public const float ClassifierDropoutProb = 0.1f;
    public const string PositionEmbeddingType = "absolute";
    public const int PadTokenId = 0;
    public const int BosTokenId = 2;
    public const int EosTokenId = 3;
    public const bool TieWordEmbeddings = true;
    /// <summary><c>PretrainedConfig.num_labels</c> when neither <c>id2label</c> nor <c>num_labels</c> is given.</summary>
    public const int NumLabels = 2;

    /// <summary>
    /// Keys without which the generator refuses to guess a shape (HF would silently use xxlarge's defaults). The runtime
    /// parser is lenient and takes the defaults.
    /// </summary>
    public static readonly string[] RequiredKeys = { "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size" };

    /// <summary>Keys only Google's original <c>albert_config.json</c> has.</summary>
    public static readonly string[] GoogleOnlyKeys = { "net_structure_type", "gap_size", "num_memory_blocks", "down_scale_factor" };

    /// <summary>A config without <c>model_type</c> that has one of <see cref="GoogleOnlyKeys"/> is Google's format.</summary>
    public static bool IsGoogleFormat(string? modelType, Func<string, bool> hasKey) =>
        modelType is null && Array.Exists(GoogleOnlyKeys, k => hasKey(k));

    /// <summary>
    /// The <c>hidden_act</c> to use: as written, else <see cref="HiddenAct"/>. Google's BERT/ALBERT <c>"gelu"</c> is the
    /// tanh approximation (modeling.py); HF's converted configs say <c>gelu_new</c> for it.
    /// </summary>
    public static string HiddenActFor(string? written, bool googleFormat) =>
        written is null ? HiddenAct : googleFormat && written == "gelu" ? "gelu_new" : written;

    /// <summary>HF's name for label <paramref name="id"/> when the config has no <c>id2label</c>.</summary>
    public static string DefaultLabel(int id) => "LABEL_" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
