using AlbertGen.Config;
using AlbertGen.Model;

namespace AlbertGen.Quantization;

/// <summary>
/// The accuracy gate of <c>albertgen quantize</c> (docs/quantization.md): runs the float and the int8 model on the same
/// batches and reports <see cref="QuantizationReport"/>. Defaults: mean cosine ≥ <see cref="DefaultMinCosine"/>, label
/// agreement ≥ <see cref="DefaultMinAgreement"/>.
/// </summary>
public static class QuantizationGate
{
    /// <summary>Mean last_hidden_state cosine (over attended tokens) an int8 model must reach by default.</summary>
    public const double DefaultMinCosine = 0.99;

    /// <summary>Share of predicted labels that must agree with the float model's by default.</summary>
    public const double DefaultMinAgreement = 0.95;

    public static QuantizationReport Compare(IAlbertBackend reference, IAlbertBackend candidate, IEnumerable<AlbertBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(candidate);
        var config = reference.Config;
        var head = reference.Head;
        double cosSum = 0, cosMin = 1;
        long tokens = 0, labels = 0, agree = 0;
        string? kind = null;
        foreach (var batch in batches)
        {
            var a = reference.Forward(batch);
            var b = candidate.Forward(batch);
            int rows = batch.Rows, seq = batch.SequenceLength, h = config.HiddenSize;
            var x = a.LastHiddenState!.Data;
            var y = b.LastHiddenState!.Data;
            for (int t = 0; t < rows * seq; t++)
            {
                if (batch.AttentionMaskAt(t / seq, t % seq) == 0) continue;
                double c = Cosine(x.AsSpan(t * h, h), y.AsSpan(t * h, h));
                cosSum += c;
                cosMin = Math.Min(cosMin, c);
                tokens++;
            }
            switch (head)
            {
                case AlbertHead.SequenceClassification when config.NumLabels > 1:
                {
                    kind = "sequence labels";
                    bool multi = HeadSelection.SequenceClassificationProblem(config, integerLabels: true) == ProblemType.MultiLabelClassification;
                    CountAgreement(a.Logits!.Data, b.Logits!.Data, rows, config.NumLabels, multi, null, ref labels, ref agree);
                    break;
                }
                case AlbertHead.TokenClassification:
                    kind = "token labels";
                    CountAgreement(a.Logits!.Data, b.Logits!.Data, rows * seq, config.NumLabels, false, batch, ref labels, ref agree);
                    break;
                case AlbertHead.MultipleChoice:
                    kind = "choices";
                    CountAgreement(a.Logits!.Data, b.Logits!.Data, batch.BatchSize, batch.NumChoices, false, null, ref labels, ref agree);
                    break;
            }
        }
        if (tokens == 0)
            throw new ArgumentException("the calibration batches hold no attended token");
        return new QuantizationReport(cosSum / tokens, cosMin, tokens, labels > 0 ? (double)agree / labels : null, labels, kind);
    }

    static void CountAgreement(float[] a, float[] b, int rows, int width, bool multiLabel, AlbertBatch? tokenMask, ref long labels, ref long agree)
    {
        for (int r = 0; r < rows; r++)
        {
            if (tokenMask is not null && tokenMask.AttentionMaskAt(r / tokenMask.SequenceLength, r % tokenMask.SequenceLength) == 0) continue;
            var ra = a.AsSpan(r * width, width);
            var rb = b.AsSpan(r * width, width);
            if (multiLabel)
            {
                for (int j = 0; j < width; j++, labels++)
                    if (ra[j] > 0 == rb[j] > 0) agree++;
            }
            else
            {
                labels++;
                if (ArgMax(ra) == ArgMax(rb)) agree++;
            }
        }
    }

    static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    /// <summary>Cosine similarity in double; two zero vectors count as identical (1), one zero vector as 0.</summary>
    public static double Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double xy = 0, xx = 0, yy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            xy += (double)x[i] * y[i];
            xx += (double)x[i] * x[i];
            yy += (double)y[i] * y[i];
        }
        if (xx == 0 && yy == 0) return 1;
        if (xx == 0 || yy == 0) return 0;
        return xy / Math.Sqrt(xx * yy);
    }
}
