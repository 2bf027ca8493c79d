using AlbertGen.Embedded;
using AlbertGen.Kernels;
using AlbertGen.Model;

namespace AlbertGen.Cpu;

/// <summary>
/// One shared <c>AlbertLayer</c> (HF: <c>albert_layer_groups.{g}.albert_layers.{j}</c>), packed once at load and
/// reused by every layer of its group. Query, key and value are fused into one (3H × H) operand. The four linear maps are
/// float32 or, in an int8 model, int8 (<see cref="LinearWeight"/>). Vectors are pinned copies, or spans of a packed
/// model image (D37).
/// </summary>
internal sealed class CpuLayerWeights
{
    /// <summary>Name of the fused Q/K/V operand in a packed model image (not an HF tensor: HF stores three).</summary>
    public const string QkvName = "attention.query_key_value";

    public required LinearWeight QueryKeyValue { get; init; }  // attention.{query,key,value}.weight  (3H, H)
    public required PinnedVector QueryKeyValueBias { get; init; } // (3H)
    public required LinearWeight Dense { get; init; }          // attention.dense.weight  (H, H)
    public required PinnedVector DenseBias { get; init; }      // (H)
    public required PinnedVector AttentionLayerNormWeight { get; init; } // attention.LayerNorm  (H)
    public required PinnedVector AttentionLayerNormBias { get; init; }
    public required LinearWeight Ffn { get; init; }            // ffn.weight  (I, H)
    public required PinnedVector FfnBias { get; init; }        // (I)
    public required LinearWeight FfnOutput { get; init; }      // ffn_output.weight  (H, I)
    public required PinnedVector FfnOutputBias { get; init; }  // (H)
    public required PinnedVector FullLayerNormWeight { get; init; } // full_layer_layer_norm  (H)
    public required PinnedVector FullLayerNormBias { get; init; }

    public static CpuLayerWeights Load(AlbertCheckpoint ckpt, int group, int inner, int hidden, int intermediate)
    {
        string p = AlbertWeightNames.LayerPrefix(group, inner);
        var qkvBias = GC.AllocateArray<float>(3 * hidden, pinned: true);
        ckpt.Get(p + "attention.query.bias").Span.CopyTo(qkvBias);
        ckpt.Get(p + "attention.key.bias").Span.CopyTo(qkvBias.AsSpan(hidden));
        ckpt.Get(p + "attention.value.bias").Span.CopyTo(qkvBias.AsSpan(2 * hidden));
        return new CpuLayerWeights
        {
            QueryKeyValue = LinearWeight.LoadFused(ckpt, hidden, p + "attention.query.weight", p + "attention.key.weight", p + "attention.value.weight"),
            QueryKeyValueBias = PinnedVector.Of(qkvBias),
            Dense = LinearWeight.Load(ckpt, p + "attention.dense.weight", hidden, hidden),
            DenseBias = Pinned(ckpt, p + "attention.dense.bias"),
            AttentionLayerNormWeight = Pinned(ckpt, p + "attention.LayerNorm.weight"),
            AttentionLayerNormBias = Pinned(ckpt, p + "attention.LayerNorm.bias"),
            Ffn = LinearWeight.Load(ckpt, p + "ffn.weight", intermediate, hidden),
            FfnBias = Pinned(ckpt, p + "ffn.bias"),
            FfnOutput = LinearWeight.Load(ckpt, p + "ffn_output.weight", hidden, intermediate),
            FfnOutputBias = Pinned(ckpt, p + "ffn_output.bias"),
            FullLayerNormWeight = Pinned(ckpt, p + "full_layer_layer_norm.weight"),
            FullLayerNormBias = Pinned(ckpt, p + "full_layer_layer_norm.bias"),
        };
    }

    static PinnedVector Pinned(AlbertCheckpoint ckpt, string name) => PinnedVector.Of(ckpt.GetPinnedCopy(name));

    /// <summary>The layer in place over a packed model image (D37): the sections <see cref="Export"/> wrote.</summary>
    public static CpuLayerWeights Load(PackedModelImage image, int group, int inner, int hidden, int intermediate)
    {
        string p = AlbertWeightNames.LayerPrefix(group, inner);
        return new CpuLayerWeights
        {
            QueryKeyValue = image.Linear(p + QkvName + ".weight", 3 * hidden, hidden),
            QueryKeyValueBias = image.Vector(p + QkvName + ".bias", 3 * hidden),
            Dense = image.Linear(p + "attention.dense.weight", hidden, hidden),
            DenseBias = image.Vector(p + "attention.dense.bias", hidden),
            AttentionLayerNormWeight = image.Vector(p + "attention.LayerNorm.weight", hidden),
            AttentionLayerNormBias = image.Vector(p + "attention.LayerNorm.bias", hidden),
            Ffn = image.Linear(p + "ffn.weight", intermediate, hidden),
            FfnBias = image.Vector(p + "ffn.bias", intermediate),
            FfnOutput = image.Linear(p + "ffn_output.weight", hidden, intermediate),
            FfnOutputBias = image.Vector(p + "ffn_output.bias", hidden),
            FullLayerNormWeight = image.Vector(p + "full_layer_layer_norm.weight", hidden),
            FullLayerNormBias = image.Vector(p + "full_layer_layer_norm.bias", hidden),
        };
    }

    /// <summary>Writes the layer as the engine holds it (panels, fused Q/K/V) into a packed model image.</summary>
    public void Export(PackedModelWriter w, int group, int inner)
    {
        string p = AlbertWeightNames.LayerPrefix(group, inner);
        w.Linear(p + QkvName + ".weight", QueryKeyValue);
        w.Vector(p + QkvName + ".bias", QueryKeyValueBias.Span);
        w.Linear(p + "attention.dense.weight", Dense);
        w.Vector(p + "attention.dense.bias", DenseBias.Span);
        w.Vector(p + "attention.LayerNorm.weight", AttentionLayerNormWeight.Span);
        w.Vector(p + "attention.LayerNorm.bias", AttentionLayerNormBias.Span);
        w.Linear(p + "ffn.weight", Ffn);
        w.Vector(p + "ffn.bias", FfnBias.Span);
        w.Linear(p + "ffn_output.weight", FfnOutput);
        w.Vector(p + "ffn_output.bias", FfnOutputBias.Span);
        w.Vector(p + "full_layer_layer_norm.weight", FullLayerNormWeight.Span);
        w.Vector(p + "full_layer_layer_norm.bias", FullLayerNormBias.Span);
    }
}
