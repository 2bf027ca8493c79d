using AlbertGen.Model;

namespace AlbertGen.Quantization;

/// <summary>
/// The int8 model format (docs/quantization.md, docs/decisions.md D35): which HF weights are stored as int8 and how.
/// A quantized weight keeps its HF name with dtype <c>I8</c> (values in [−127, 127]; [−64, 64] when written with 7 weight bits, D41; the HF (out × in) shape) and has
/// a companion <c>NAME_scale</c> (<c>F32</c>, one per output row, ≥ 0): W ≈ q · scale[row]. Only the shared layer's
/// linear maps and the pooler/classifier are quantized; embeddings, LayerNorm, biases and the masked-LM head stay float.
/// </summary>
public static class Int8Weights
{
    /// <summary><c>quant_method</c> of the <c>quantization_config</c> entry in config.json.</summary>
    public const string Method = "albertgen-int8";

    /// <summary>Appended to a quantized weight's name for its per-row scales.</summary>
    public const string ScaleSuffix = "_scale";

    /// <summary>safetensors dtype of a quantized weight.</summary>
    public const string DType = "I8";

    static readonly string[] LayerLinears =
    [
        "attention.query.weight", "attention.key.weight", "attention.value.weight", "attention.dense.weight", "ffn.weight", "ffn_output.weight",
    ];

    static readonly string[] HeadLinears =
    [
        AlbertWeightNames.BasePrefix + "pooler.weight", "sop_classifier.classifier.weight", "classifier.weight", "qa_outputs.weight",
    ];

    /// <summary>Whether the weight named <paramref name="name"/> (an HF name as <see cref="AlbertWeightNames.For"/> lists it) may be stored as int8.</summary>
    public static bool IsQuantizable(string name)
    {
        if (Array.IndexOf(HeadLinears, name) >= 0) return true;
        const string layers = AlbertWeightNames.BasePrefix + "encoder.albert_layer_groups.";
        if (!name.StartsWith(layers, StringComparison.Ordinal)) return false;
        foreach (var suffix in LayerLinears)
        {
            if (IsLayerName(name, suffix)) return true;
        }
        return false;
    }

    static bool IsLayerName(string name, string suffix)
    {
        // albert.encoder.albert_layer_groups.{g}.albert_layers.{j}.{suffix}
        string rest = name[(AlbertWeightNames.BasePrefix.Length + "encoder.albert_layer_groups.".Length)..];
        var parts = rest.Split('.', 4);
        return parts.Length == 4 && parts[0].Length > 0 && parts[0].All(char.IsAsciiDigit) && parts[1] == "albert_layers"
            && parts[2].Length > 0 && parts[2].All(char.IsAsciiDigit) && parts[3] == suffix;
    }

    /// <summary>The names among <paramref name="specs"/> that <c>albertgen quantize</c> stores as int8.</summary>
    public static IReadOnlyList<string> Names(IEnumerable<WeightSpec> specs) =>
        specs.Where(s => IsQuantizable(s.Name)).Select(s => s.Name).ToList();
}
