using AlbertGen.Kernels;
using AlbertGen.Model;

namespace AlbertGen.Cpu;

/// <summary>
/// One shared <c>AlbertLayer</c> (HF: <c>albert_layer_groups.{g}.albert_layers.{j}</c>), packed once at load and
/// reused by every layer of its group. Query, key and value are fused into one (3H × H) operand. The four linear maps are
/// float32 or, in an int8 model, int8 (<see cref="LinearWeight"/>).
/// </summary>
internal sealed class CpuLayerWeights
{
    public required LinearWeight QueryKeyValue { get; init; }  // attention.{query,key,value}.weight  (3H, H)
    public required float[] QueryKeyValueBias { get; init; }   // (3H)
    public required LinearWeight Dense { get; init; }          // attention.dense.weight  (H, H)
    public required float[] DenseBias { get; init; }           // (H)
    public required float[] AttentionLayerNormWeight { get; init; } // attention.LayerNorm  (H)
    public required float[] AttentionLayerNormBias { get; init; }
    public required LinearWeight Ffn { get; init; }            // ffn.weight  (I, H)
    public required float[] FfnBias { get; init; }             // (I)
    public required LinearWeight FfnOutput { get; init; }      // ffn_output.weight  (H, I)
    public required float[] FfnOutputBias { get; init; }       // (H)
    public required float[] FullLayerNormWeight { get; init; } // full_layer_layer_norm  (H)
    public required float[] FullLayerNormBias { get; init; }

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
            QueryKeyValueBias = qkvBias,
            Dense = LinearWeight.Load(ckpt, p + "attention.dense.weight", hidden, hidden),
            DenseBias = ckpt.GetPinnedCopy(p + "attention.dense.bias"),
            AttentionLayerNormWeight = ckpt.GetPinnedCopy(p + "attention.LayerNorm.weight"),
            AttentionLayerNormBias = ckpt.GetPinnedCopy(p + "attention.LayerNorm.bias"),
            Ffn = LinearWeight.Load(ckpt, p + "ffn.weight", intermediate, hidden),
            FfnBias = ckpt.GetPinnedCopy(p + "ffn.bias"),
            FfnOutput = LinearWeight.Load(ckpt, p + "ffn_output.weight", hidden, intermediate),
            FfnOutputBias = ckpt.GetPinnedCopy(p + "ffn_output.bias"),
            FullLayerNormWeight = ckpt.GetPinnedCopy(p + "full_layer_layer_norm.weight"),
            FullLayerNormBias = ckpt.GetPinnedCopy(p + "full_layer_layer_norm.bias"),
        };
    }
}
