namespace AlbertGen.Model;

/// <summary>
/// HF's loss functions (torch.nn semantics, mean reduction), accumulated in double precision. Label values are
/// checked: a class index outside [0, classes) that is not the ignore index is an <see cref="AlbertInputException"/>
/// (torch raises too).
/// </summary>
public static class AlbertLosses
{
    public const int IgnoreIndex = -100;

    /// <summary><c>CrossEntropyLoss(ignore_index)</c> over <paramref name="rows"/> rows of <paramref name="classes"/> logits: mean over non-ignored rows; NaN when every row is ignored (as torch).</summary>
    public static float CrossEntropy(ReadOnlySpan<float> logits, int rows, int classes, ReadOnlySpan<int> labels, string labelName, int ignoreIndex = IgnoreIndex)
    {
        if (labels.Length != rows)
            throw new AlbertInputException($"'{labelName}' has {labels.Length} entries, expected {rows}");
        double total = 0;
        int counted = 0;
        for (int r = 0; r < rows; r++)
        {
            int y = labels[r];
            if (y == ignoreIndex) continue;
            if ((uint)y >= (uint)classes)
                throw new AlbertInputException($"'{labelName}'[{r}] = {y} is not a class index in [0, {classes}) nor the ignore index {ignoreIndex}");
            var row = logits.Slice(r * classes, classes);
            double max = double.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (var v in row) sum += Math.Exp(v - max);
            total += Math.Log(sum) + max - row[y];
            counted++;
        }
        return counted == 0 ? float.NaN : (float)(total / counted);
    }

    /// <summary><c>MSELoss</c>: mean of squared differences.</summary>
    public static float MeanSquaredError(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, string labelName)
    {
        if (predictions.Length != targets.Length)
            throw new AlbertInputException($"'{labelName}' has {targets.Length} values, the logits have {predictions.Length}");
        double s = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double d = (double)predictions[i] - targets[i];
            s += d * d;
        }
        return (float)(s / predictions.Length);
    }

    /// <summary><c>BCEWithLogitsLoss</c>: mean of max(x, 0) − x·y + log(1 + e^−|x|).</summary>
    public static float BinaryCrossEntropyWithLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, string labelName)
    {
        if (logits.Length != targets.Length)
            throw new AlbertInputException($"'{labelName}' has {targets.Length} values, the logits have {logits.Length}");
        double s = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double x = logits[i], y = targets[i];
            s += Math.Max(x, 0) - x * y + Math.Log(1 + Math.Exp(-Math.Abs(x)));
        }
        return (float)(s / logits.Length);
    }

    /// <summary>
    /// HF's extractive-QA loss: positions clamped to [0, seq], seq used as the ignore index, mean of the start and
    /// end cross-entropies.
    /// </summary>
    public static float QuestionAnswering(ReadOnlySpan<float> startLogits, ReadOnlySpan<float> endLogits, int batch, int seq,
        ReadOnlySpan<int> startPositions, ReadOnlySpan<int> endPositions)
    {
        Span<int> s = batch <= 256 ? stackalloc int[batch] : new int[batch];
        Span<int> e = batch <= 256 ? stackalloc int[batch] : new int[batch];
        if (startPositions.Length != batch || endPositions.Length != batch)
            throw new AlbertInputException($"start_positions/end_positions need one entry per batch row ({batch})");
        for (int i = 0; i < batch; i++)
        {
            s[i] = Math.Clamp(startPositions[i], 0, seq);
            e[i] = Math.Clamp(endPositions[i], 0, seq);
        }
        float ls = CrossEntropy(startLogits, batch, seq, s, "start_positions", ignoreIndex: seq);
        float le = CrossEntropy(endLogits, batch, seq, e, "end_positions", ignoreIndex: seq);
        return (ls + le) / 2;
    }
}
