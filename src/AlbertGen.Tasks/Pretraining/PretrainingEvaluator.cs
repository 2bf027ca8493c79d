using AlbertGen.Model;
using AlbertGen.Tasks;
using AlbertGen.Tasks.Pretraining;

namespace AlbertGen.Tasks.Pretraining;

/// <summary>MLM and sentence-order metrics of a pretraining model over corpus batches (any backend).</summary>
public static class PretrainingEvaluator
{
    public sealed record Result(int Batches, long MaskedTokens, double MlmLoss, double MlmAccuracy, int Pairs, double SopLoss, double SopAccuracy);

    public static Result Evaluate(IAlbertBackend model, IPretrainingBatchSource source, int batches)
    {
        if (model.Head != AlbertGen.Config.AlbertHead.PreTraining)
            throw new ArgumentException($"evaluation needs a pretraining model (AlbertForPreTraining), this one is {model.Head}");
        int vocab = model.Config.VocabSize, classes = model.Config.NumLabels;
        long masked = 0, mlmCorrect = 0;
        int pairs = 0, sopCorrect = 0;
        double mlmLoss = 0, sopLoss = 0;
        for (int b = 0; b < batches; b++)
        {
            var batch = source.BatchFor(b);
            var output = model.Forward(batch);
            var logits = output.PredictionLogits!.Data;
            var labels = batch.Labels!;
            for (int t = 0; t < labels.Length; t++)
            {
                if (labels[t] == AlbertLosses.IgnoreIndex) continue;
                masked++;
                if (TaskMath.ArgMax(logits.AsSpan(t * vocab, vocab)) == labels[t]) mlmCorrect++;
            }
            var sop = output.SopLogits!.Data;
            for (int r = 0; r < batch.Rows; r++)
            {
                pairs++;
                if (TaskMath.ArgMax(sop.AsSpan(r * classes, classes)) == batch.SentenceOrderLabel![r]) sopCorrect++;
            }
            // the losses are means over the batch's targets; weight them by target counts for the overall mean
            int batchMasked = labels.Count(l => l != AlbertLosses.IgnoreIndex);
            mlmLoss += output.MlmLoss!.Data[0] * batchMasked;
            sopLoss += output.SopLoss!.Data[0] * batch.Rows;
        }
        return new Result(batches, masked, mlmLoss / Math.Max(1, masked), (double)mlmCorrect / Math.Max(1, masked),
            pairs, sopLoss / Math.Max(1, pairs), (double)sopCorrect / Math.Max(1, pairs));
    }
}
