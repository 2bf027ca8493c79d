using AlbertGen.Model;

namespace AlbertGen.Tasks.Pretraining;

/// <summary>Where pretraining batches come from (HF keyword names: input_ids, attention_mask, token_type_ids, labels, sentence_order_label).</summary>
public interface IPretrainingBatchSource
{
    /// <summary>The batch for step <paramref name="step"/> (0-based). Deterministic in the step, so a resumed run sees the same data.</summary>
    AlbertBatch BatchFor(long step);
}
