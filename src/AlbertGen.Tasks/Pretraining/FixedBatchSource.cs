using AlbertGen.Model;

namespace AlbertGen.Tasks.Pretraining;

/// <summary>The same pre-tokenized batch every step (<c>pretrain --inputs</c>).</summary>
public sealed class FixedBatchSource : IPretrainingBatchSource
{
    readonly AlbertBatch _batch;

    public FixedBatchSource(AlbertBatch batch)
    {
        if (batch.Labels is null || batch.SentenceOrderLabel is null)
            throw new AlbertInputException("pretraining inputs need 'labels' (MLM targets, -100 elsewhere) and 'sentence_order_label'");
        _batch = batch;
    }

    public AlbertBatch BatchFor(long step) => _batch;
}
