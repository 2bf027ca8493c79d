using AlbertGen.Tasks.Embeddings;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.Pipelines;

public sealed partial class TextPipelines
{
    /// <summary>
    /// Sentence vectors as sentence-transformers computes them (docs/decisions.md D32): the prompt prepended, the text
    /// lower-cased when <see cref="SentenceTransformersConfig.DoLowerCase"/>, tokens truncated to <c>max_seq_length</c>
    /// (special tokens included), then mean / cls / max pooling over the attended tokens and optional L2 normalisation.
    /// </summary>
    public float[][] Embed(IReadOnlyList<string> texts, SentenceTransformersConfig settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int h = Backend.Config.HiddenSize;
        int maxLength = Math.Min(settings.MaxSeqLength ?? MaxLength, MaxLength);
        string prompt = settings.DefaultPrompt;
        var inputs = texts.Select(t => prompt + t).Select(t => settings.DoLowerCase ? t.ToLowerInvariant() : t).ToArray();
        var encodings = Tokenizer.EncodeBatch(inputs, maxLength: maxLength, padding: PaddingStrategy.DoNotPad);
        return Batched(encodings, outputsPerToken: h, (i, enc, output, row, first) =>
        {
            var rows = output.LastHiddenState!.Data.AsSpan(first * h, enc.Length * h);
            float[] v = settings.Pooling switch
            {
                EmbeddingPooling.Cls => rows[..h].ToArray(),
                EmbeddingPooling.Max => MaxPool(rows, enc.Length, h, enc.AttentionMask),
                _ => TaskMath.MeanPool(rows, enc.Length, h, enc.AttentionMask),
            };
            return settings.Normalize ? L2Normalize(v) : v;
        }, cancellationToken);
    }

    static float[] MaxPool(ReadOnlySpan<float> hidden, int seq, int h, ReadOnlySpan<int> mask)
    {
        var max = new float[h];
        max.AsSpan().Fill(float.NegativeInfinity);
        for (int t = 0; t < seq; t++)
        {
            if (mask[t] == 0) continue;
            var row = hidden.Slice(t * h, h);
            for (int j = 0; j < h; j++) max[j] = Math.Max(max[j], row[j]);
        }
        return max;
    }

    /// <summary>torch.nn.functional.normalize(p=2): v / max(‖v‖, 1e-12).</summary>
    static float[] L2Normalize(float[] v)
    {
        double n = 0;
        foreach (var x in v) n += (double)x * x;
        double scale = 1 / Math.Max(Math.Sqrt(n), 1e-12);
        for (int j = 0; j < v.Length; j++) v[j] = (float)(v[j] * scale);
        return v;
    }
}
