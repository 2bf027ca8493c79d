namespace AlbertGen.Tasks;

/// <summary>
/// The post-processing HF's pipelines apply to model outputs — fill-mask top-k, classification scores, sentence
/// embeddings, extractive-QA span search, softmax per token or over choices — as pure functions over logits and hidden
/// states (double accumulation).
/// </summary>
public static class TaskMath
{
    /// <summary>Index of the largest value (the first one on ties): the predicted class, choice or token.</summary>
    public static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    /// <summary>Softmax of one row of logits in double precision (max-shifted, as numpy in HF's pipelines).</summary>
    public static double[] Softmax(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += p[i] = Math.Exp(logits[i] - max);
        for (int i = 0; i < logits.Length; i++) p[i] /= sum;
        return p;
    }

    /// <summary>Softmax over one row of vocabulary logits, then the <paramref name="k"/> most probable ids (ties: lower id first).</summary>
    public static TokenScore[] TopK(ReadOnlySpan<float> logits, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "top-k needs k ≥ 1");
        k = Math.Min(k, logits.Length);
        double max = double.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        double sum = 0;
        foreach (var v in logits) sum += Math.Exp(v - max);
        // partial selection: keep the k best in a small sorted buffer (k ≪ vocab)
        var best = new List<int>(k + 1);
        for (int i = 0; i < logits.Length; i++)
        {
            if (best.Count == k && logits[i] <= logits[best[^1]]) continue;
            int at = best.Count;
            while (at > 0 && logits[best[at - 1]] < logits[i]) at--;
            best.Insert(at, i);
            if (best.Count > k) best.RemoveAt(k);
        }
        var result = new TokenScore[best.Count];
        for (int j = 0; j < best.Count; j++)
            result[j] = new TokenScore(best[j], (float)(Math.Exp(logits[best[j]] - max) / sum));
        return result;
    }

    /// <summary>
    /// HF text-classification scores: softmax for single-label models, sigmoid per label for multi-label models and
    /// for a single-output model, sorted by score (highest first).
    /// </summary>
    public static LabelScore[] ClassScores(ReadOnlySpan<float> logits, IReadOnlyList<string> labels, string? problemType)
    {
        if (logits.Length != labels.Count)
            throw new ArgumentException($"{logits.Length} logits for {labels.Count} labels");
        var scores = new double[logits.Length];
        bool sigmoid = logits.Length == 1 || problemType == "multi_label_classification";
        if (sigmoid)
        {
            for (int i = 0; i < logits.Length; i++) scores[i] = 1 / (1 + Math.Exp(-logits[i]));
        }
        else
        {
            double max = double.NegativeInfinity;
            foreach (var v in logits) max = Math.Max(max, v);
            double sum = 0;
            for (int i = 0; i < logits.Length; i++) sum += scores[i] = Math.Exp(logits[i] - max);
            for (int i = 0; i < logits.Length; i++) scores[i] /= sum;
        }
        return Enumerable.Range(0, logits.Length)
            .Select(i => new LabelScore(labels[i], (float)scores[i]))
            .OrderByDescending(s => s.Score).ThenBy(s => s.Label, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Scales <paramref name="vector"/> in place to unit Euclidean length (sentence-transformers' Normalize); a zero vector stays zero.</summary>
    public static void NormalizeL2(Span<float> vector)
    {
        double sum = 0;
        foreach (var x in vector) sum += (double)x * x;
        if (sum == 0) return;
        double scale = 1 / Math.Sqrt(sum);
        for (int i = 0; i < vector.Length; i++) vector[i] = (float)(vector[i] * scale);
    }

    /// <summary>Mean of the hidden states of attended positions (sentence-transformers' mean pooling).</summary>
    public static float[] MeanPool(ReadOnlySpan<float> hidden, int seq, int hiddenSize, ReadOnlySpan<int> attentionMask)
    {
        if (hidden.Length != seq * hiddenSize || attentionMask.Length != seq)
            throw new ArgumentException("hidden states and mask do not match seq × hidden");
        var sum = new double[hiddenSize];
        int count = 0;
        for (int t = 0; t < seq; t++)
        {
            if (attentionMask[t] == 0) continue;
            count++;
            var row = hidden.Slice(t * hiddenSize, hiddenSize);
            for (int j = 0; j < hiddenSize; j++) sum[j] += row[j];
        }
        var result = new float[hiddenSize];
        if (count == 0) return result;
        for (int j = 0; j < hiddenSize; j++) result[j] = (float)(sum[j] / count);
        return result;
    }

    /// <summary>
    /// HF question-answering pipeline span search: softmax over the allowed positions of the start and end logits,
    /// then the span start ≤ end ≤ start + maxAnswerLength − 1 with the highest p(start)·p(end).
    /// <paramref name="allowed"/> marks positions that may hold an answer (the context tokens).
    /// </summary>
    public static AnswerSpan BestSpan(ReadOnlySpan<float> startLogits, ReadOnlySpan<float> endLogits, ReadOnlySpan<bool> allowed, int maxAnswerLength = 15)
    {
        int n = startLogits.Length;
        if (endLogits.Length != n || allowed.Length != n)
            throw new ArgumentException("start, end and allowed must have one entry per position");
        if (maxAnswerLength < 1) throw new ArgumentOutOfRangeException(nameof(maxAnswerLength));
        var ps = Softmax(startLogits, allowed);
        var pe = Softmax(endLogits, allowed);
        var best = new AnswerSpan(-1, -1, 0f);
        double bestScore = -1;
        for (int s = 0; s < n; s++)
        {
            if (!allowed[s]) continue;
            for (int e = s; e < Math.Min(n, s + maxAnswerLength); e++)
            {
                if (!allowed[e]) continue;
                double score = ps[s] * pe[e];
                if (score > bestScore)
                {
                    bestScore = score;
                    best = new AnswerSpan(s, e, (float)score);
                }
            }
        }
        if (best.Start < 0)
            throw new ArgumentException("no position is allowed to hold an answer");
        return best;
    }

    static double[] Softmax(ReadOnlySpan<float> logits, ReadOnlySpan<bool> allowed)
    {
        double max = double.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++) if (allowed[i]) max = Math.Max(max, logits[i]);
        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) if (allowed[i]) sum += p[i] = Math.Exp(logits[i] - max);
        for (int i = 0; i < logits.Length; i++) p[i] /= sum;
        return p;
    }
}
