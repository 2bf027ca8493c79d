namespace AlbertGen.Model;

/// <summary>
/// The outputs of one forward, named as HF's output fields (<c>last_hidden_state</c>, <c>pooler_output</c>,
/// <c>prediction_logits</c>, <c>sop_logits</c>, <c>logits</c>, <c>start_logits</c>, <c>end_logits</c>,
/// <c>loss</c>, <c>mlm_loss</c>, <c>sop_loss</c>). A field is null when the head does not produce it.
/// </summary>
public sealed class AlbertOutput
{
    /// <summary>(batch, seq, hidden). For multiple choice the batch is batch × num_choices, as in HF.</summary>
    public FloatTensor? LastHiddenState { get; set; }
    /// <summary>(batch, hidden): tanh(pooler(h[:, 0])); null for heads HF builds without a pooler.</summary>
    public FloatTensor? PoolerOutput { get; set; }
    /// <summary>(batch, seq, vocab) — pretraining head.</summary>
    public FloatTensor? PredictionLogits { get; set; }
    /// <summary>(batch, num_labels) — pretraining head's sentence-order classifier.</summary>
    public FloatTensor? SopLogits { get; set; }
    /// <summary>masked-lm (batch, seq, vocab), sequence classification (batch, num_labels), token classification (batch, seq, num_labels), multiple choice (batch, num_choices).</summary>
    public FloatTensor? Logits { get; set; }
    public FloatTensor? StartLogits { get; set; }
    public FloatTensor? EndLogits { get; set; }
    /// <summary>Scalar loss when labels were given.</summary>
    public FloatTensor? Loss { get; set; }
    public FloatTensor? MlmLoss { get; set; }
    public FloatTensor? SopLoss { get; set; }

    /// <summary>The non-null outputs under their HF names.</summary>
    public IEnumerable<KeyValuePair<string, FloatTensor>> Named()
    {
        foreach (var (name, t) in new (string, FloatTensor?)[]
        {
            ("last_hidden_state", LastHiddenState), ("pooler_output", PoolerOutput),
            ("prediction_logits", PredictionLogits), ("sop_logits", SopLogits), ("logits", Logits),
            ("start_logits", StartLogits), ("end_logits", EndLogits),
            ("loss", Loss), ("mlm_loss", MlmLoss), ("sop_loss", SopLoss),
        })
        {
            if (t is not null)
                yield return new(name, t);
        }
    }

    /// <summary>A deep copy (outputs of a workspace are overwritten by its next forward).</summary>
    public AlbertOutput Clone() => new()
    {
        LastHiddenState = LastHiddenState?.Clone(), PoolerOutput = PoolerOutput?.Clone(),
        PredictionLogits = PredictionLogits?.Clone(), SopLogits = SopLogits?.Clone(), Logits = Logits?.Clone(),
        StartLogits = StartLogits?.Clone(), EndLogits = EndLogits?.Clone(),
        Loss = Loss?.Clone(), MlmLoss = MlmLoss?.Clone(), SopLoss = SopLoss?.Clone(),
    };
}
