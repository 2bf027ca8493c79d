using System.Runtime.CompilerServices;
using AlbertGen.Model;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.Pipelines;

public sealed partial class TextPipelines
{
    /// <summary>
    /// The most tokens, counted as rows × longest row, one forward takes: the pipelines sort a call's texts by length and
    /// cut them into batches under this budget, so any number of texts runs in bounded memory. The forwards are
    /// padding-free (<see cref="IAlbertBackend.ForwardPacked"/>, D33): the engine computes only the real tokens, at most
    /// this many. Default 2048.
    /// </summary>
    public int MaxBatchTokens
    {
        get => _maxBatchTokens;
        init => _maxBatchTokens = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxBatchTokens), value, "must be ≥ 1");
    }

    /// <summary>
    /// The most per-token output values one forward may return (e.g. tokens × vocabulary for fill-mask's logits):
    /// heads with wide outputs get smaller batches. Default 2²⁴ floats (64 MiB).
    /// </summary>
    public long MaxBatchOutputs
    {
        get => _maxBatchOutputs;
        init => _maxBatchOutputs = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxBatchOutputs), value, "must be ≥ 1");
    }

    /// <summary>How many texts a streaming call reads ahead and sorts by length before it runs them. Default 256.</summary>
    public int StreamWindow
    {
        get => _streamWindow;
        init => _streamWindow = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(StreamWindow), value, "must be ≥ 1");
    }

    int _maxBatchTokens = 2048;
    long _maxBatchOutputs = 1L << 24;
    int _streamWindow = 256;

    /// <summary>
    /// One text's result from a packed batch's output: <paramref name="sequence"/> is its row of per-sequence outputs,
    /// <paramref name="firstToken"/> the row of its first token in per-token outputs (its encoding's length rows follow).
    /// </summary>
    delegate T ReadRow<T>(int input, AlbertEncoding encoding, AlbertOutput output, int sequence, int firstToken);

    /// <summary>
    /// Runs <paramref name="encodings"/> (unpadded) through the backend's padding-free forward in batches of similar
    /// lengths and returns each input's result in input order. Texts are sorted by length (stable), and a batch grows
    /// while rows × longest stays within <see cref="MaxBatchTokens"/> and its per-token outputs
    /// (<paramref name="outputsPerToken"/> each) within <see cref="MaxBatchOutputs"/>; a single text longer than the
    /// budget runs alone.
    /// </summary>
    T[] Batched<T>(IReadOnlyList<AlbertEncoding> encodings, long outputsPerToken, ReadRow<T> read, CancellationToken cancellationToken = default)
    {
        var results = new T[encodings.Count];
        var order = Enumerable.Range(0, encodings.Count).OrderBy(i => encodings[i].Length).ToArray();
        long tokenBudget = Math.Min(MaxBatchTokens, outputsPerToken > 0 ? Math.Max(1, MaxBatchOutputs / outputsPerToken) : long.MaxValue);
        var batch = new List<AlbertEncoding>();
        for (int start = 0; start < order.Length;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int end = start + 1;
            // sorted ascending: the candidate is the longest so far, so rows × longest is (count + 1) × its length
            while (end < order.Length && (long)(end - start + 1) * encodings[order[end]].Length <= tokenBudget)
                end++;
            batch.Clear();
            for (int k = start; k < end; k++) batch.Add(encodings[order[k]]);
            var packed = EncodedBatch.Packed(batch);
            var output = Backend.ForwardPacked(packed);
            for (int k = start; k < end; k++)
                results[order[k]] = read(order[k], encodings[order[k]], output, k - start, packed.Start(k - start));
            start = end;
        }
        return results;
    }

    /// <summary><see cref="Embed(IReadOnlyList{string}, bool, CancellationToken)"/> on the thread pool; cancellation is checked between batches.</summary>
    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, bool meanPooling = true, CancellationToken cancellationToken = default) =>
        Task.Run(() => Embed(texts, meanPooling, cancellationToken), cancellationToken);

    /// <summary><see cref="Classify"/> on the thread pool; cancellation is checked between batches.</summary>
    public Task<LabelScore[][]> ClassifyAsync(IReadOnlyList<string> texts, IReadOnlyList<string?>? pairs = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Classify(texts, pairs, cancellationToken), cancellationToken);

    /// <summary>
    /// Sentence vectors for a stream of texts of any length, in input order: reads <see cref="StreamWindow"/> texts at a
    /// time, runs them in length-sorted batches and yields their vectors, so memory holds one window.
    /// </summary>
    public IAsyncEnumerable<float[]> EmbedStreamAsync(IAsyncEnumerable<string> texts, bool meanPooling = true, CancellationToken cancellationToken = default) =>
        InWindows(texts, (window, ct) => EmbedAsync(window, meanPooling, ct), cancellationToken);

    /// <summary>Label scores for a stream of texts, in input order, one <see cref="StreamWindow"/> at a time.</summary>
    public IAsyncEnumerable<LabelScore[]> ClassifyStreamAsync(IAsyncEnumerable<string> texts, CancellationToken cancellationToken = default) =>
        InWindows(texts, (window, ct) => ClassifyAsync(window, null, ct), cancellationToken);

    /// <summary>Runs <paramref name="run"/> on consecutive windows of <see cref="StreamWindow"/> texts and yields the results in order.</summary>
    async IAsyncEnumerable<T> InWindows<T>(IAsyncEnumerable<string> texts, Func<string[], CancellationToken, Task<T[]>> run,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var window = new List<string>(StreamWindow);
        await foreach (var text in texts.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            window.Add(text);
            if (window.Count < StreamWindow) continue;
            foreach (var r in await run([.. window], cancellationToken).ConfigureAwait(false)) yield return r;
            window.Clear();
        }
        if (window.Count > 0)
            foreach (var r in await run([.. window], cancellationToken).ConfigureAwait(false)) yield return r;
    }
}
