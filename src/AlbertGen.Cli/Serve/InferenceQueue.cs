using System.Threading.Channels;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Cli.Serve;

/// <summary>
/// Dynamic batching: every inference request goes into one bounded channel; one worker takes the oldest request and
/// then, while the next one is of the same kind and the tokens gathered stay within --max-batch-tokens, the next ones
/// too, runs their texts in one pipelines call (which sorts them by length and pads within the same budget) and hands
/// each request its slice. A full queue refuses at once (<see cref="TryEnqueue"/> false → 429), so overload never
/// piles up memory or hangs a client. One worker is enough: a forward already uses every core (docs/decisions.md D28).
/// </summary>
internal sealed class InferenceQueue
{
    readonly Channel<InferenceRequest> _channel;
    readonly ServeModels _models;
    readonly ServeMetrics _metrics;
    readonly int _maxBatchTokens;
    Task _worker = Task.CompletedTask;

    public InferenceQueue(ServeModels models, ServeOptions options)
    {
        _models = models;
        _maxBatchTokens = options.MaxBatchTokens;
        _channel = Channel.CreateBounded<InferenceRequest>(new BoundedChannelOptions(options.MaxQueue)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite answers false when full; nobody waits
        });
        _metrics = new ServeMetrics(() => Depth);
    }

    public ServeMetrics Metrics => _metrics;

    /// <summary>Requests waiting for the worker.</summary>
    public int Depth => _channel.Reader.Count;

    /// <summary>Starts the worker on a thread of its own: forwards block it for milliseconds at a time, and on a thread-pool
    /// thread they would take one of the few threads Kestrel parses and tokenizes requests on.</summary>
    public void Start()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _worker = done.Task;
        new Thread(() =>
        {
            try
            {
                Run();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true, Name = "albertgen-serve-worker" }.Start();
    }

    /// <summary>False when the queue is full or closed (shutting down).</summary>
    public bool TryEnqueue(InferenceRequest request) => _channel.Writer.TryWrite(request);

    /// <summary>True once <see cref="DrainAsync"/> has closed the queue.</summary>
    public bool Closed { get; private set; }

    /// <summary>Accepts nothing more, runs what is queued, and returns when the worker is done.</summary>
    public Task DrainAsync()
    {
        Closed = true;
        _channel.Writer.TryComplete();
        return _worker;
    }

    void Run()
    {
        var reader = _channel.Reader;
        var batch = new List<InferenceRequest>();
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var first))
            {
                batch.Clear();
                batch.Add(first);
                int tokens = first.Tokens;
                while (reader.TryPeek(out var next) && next.Kind == first.Kind && tokens + next.Tokens <= _maxBatchTokens && reader.TryRead(out next))
                {
                    batch.Add(next);
                    tokens += next.Tokens;
                }
                RunBatch(batch, tokens);
            }
        }
    }

    void RunBatch(List<InferenceRequest> batch, int tokens)
    {
        // requests whose client went away are dropped before the forward
        var live = new List<InferenceRequest>(batch.Count);
        foreach (var r in batch)
        {
            if (r.Aborted.IsCancellationRequested) r.Completion.TrySetCanceled(r.Aborted);
            else live.Add(r);
        }
        if (live.Count == 0) return;
        var texts = new List<string>();
        foreach (var r in live) texts.AddRange(r.Texts);
        _metrics.Batch(live.Count, texts.Count, tokens);
        try
        {
            Array results = live[0].Kind switch
            {
                // pooling, truncation and prompt from the folder; normalisation is the route's (per request)
                InferenceKind.Embed => _models.Embeddings!.Embed(texts, _models.EmbeddingSettings with { Normalize = false }),
                InferenceKind.Classify => _models.Classifier!.Classify(texts),
                InferenceKind.FillMask => _models.FillMask!.FillMask(texts, live.Max(r => r.TopK)),
                _ => throw new InvalidOperationException($"unknown kind {live[0].Kind}"),
            };
            int offset = 0;
            foreach (var r in live)
            {
                r.Completion.TrySetResult(Slice(results, offset, r));
                offset += r.Texts.Count;
            }
        }
        catch (Exception e)
        {
            foreach (var r in live) r.Completion.TrySetException(e);
        }
    }

    static object Slice(Array results, int offset, InferenceRequest r)
    {
        int n = r.Texts.Count;
        switch (results)
        {
            case float[][] vectors:
                return vectors.AsSpan(offset, n).ToArray();
            case Tasks.LabelScore[][] labels:
                return labels.AsSpan(offset, n).ToArray();
            case IReadOnlyList<IReadOnlyList<FillMaskCandidate>>[] masks:
                var mine = new IReadOnlyList<IReadOnlyList<FillMaskCandidate>>[n];
                for (int i = 0; i < n; i++)
                    mine[i] = masks[offset + i].Select(m => (IReadOnlyList<FillMaskCandidate>)m.Take(r.TopK).ToArray()).ToArray();
                return mine;
            default:
                throw new InvalidOperationException("unexpected result type");
        }
    }
}
