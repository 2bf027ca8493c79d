using AlbertGen.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Modules;

/// <summary>HF <c>AlbertAttention</c> (eager path): LayerNorm(x + dense(softmax(QKᵀ/√d + mask)·V)).</summary>
public sealed class AlbertAttention : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are HF state-dict keys
    readonly Linear query;     // (H, H)
    readonly Linear key;       // (H, H)
    readonly Linear value;     // (H, H)
    readonly Linear dense;     // (H, H)
    readonly LayerNorm LayerNorm; // (H)
    readonly Dropout attention_dropout;
    readonly Dropout output_dropout;
#pragma warning restore IDE1006
    readonly long _heads, _headSize;

    public AlbertAttention(AlbertConfig c) : base(nameof(AlbertAttention))
    {
        _heads = c.NumAttentionHeads;
        _headSize = c.HeadSize;
        query = nn.Linear(c.HiddenSize, c.HiddenSize);
        key = nn.Linear(c.HiddenSize, c.HiddenSize);
        value = nn.Linear(c.HiddenSize, c.HiddenSize);
        dense = nn.Linear(c.HiddenSize, c.HiddenSize);
        LayerNorm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        attention_dropout = nn.Dropout(c.AttentionProbsDropoutProb);
        output_dropout = nn.Dropout(c.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <param name="hidden">(B, S, H)</param>
    /// <param name="additiveMask">(B, 1, 1, S): 0 where attended, finfo(float32).min where padded (HF's extended mask)</param>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        long b = hidden.shape[0], s = hidden.shape[1];
        Tensor Heads(Tensor t) => t.view(b, s, _heads, _headSize).permute(0, 2, 1, 3); // (B, heads, S, d)
        var q = Heads(Autocast.Linear(query, hidden));
        var k = Heads(Autocast.Linear(key, hidden));
        var v = Heads(Autocast.Linear(value, hidden));
        var scores = Autocast.MatMul(q, k.transpose(-1, -2)) / Math.Sqrt(_headSize);
        scores = scores + additiveMask;
        var probs = attention_dropout.forward(nn.functional.softmax(scores, -1));
        var context = Autocast.MatMul(probs, v).transpose(2, 1).flatten(2); // (B, S, H)
        var projected = output_dropout.forward(Autocast.Linear(dense, context));
        return LayerNorm.forward(hidden + projected).MoveToOuterDisposeScope();
    }
}
