using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace AlbertGen.Cli.Serve;

/// <summary>
/// The server's counters in Prometheus text format (GET /metrics): requests by route and status, errors by route and
/// error type, requests in flight, queue depth, batch sizes (requests, texts, tokens) and request latency by route.
/// </summary>
internal sealed class ServeMetrics(Func<int> queueDepth)
{
    static readonly double[] LatencyBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    static readonly double[] CountBounds = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
    static readonly double[] TokenBounds = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];

    readonly ConcurrentDictionary<(string Route, int Status), long[]> _requests = new();
    readonly ConcurrentDictionary<(string Route, string Type), long[]> _errors = new();
    readonly ConcurrentDictionary<string, Histogram> _latency = new();
    readonly Histogram _batchRequests = new(CountBounds);
    readonly Histogram _batchTexts = new(CountBounds);
    readonly Histogram _batchTokens = new(TokenBounds);
    long _inFlight;

    /// <summary>Inference requests between arrival and answer (not /health, /metrics, /info).</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    public void Started() => Interlocked.Increment(ref _inFlight);

    public void Finished(string route, int status, double seconds, bool inference)
    {
        if (inference) Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _requests.GetOrAdd((route, status), _ => new long[1])[0]);
        _latency.GetOrAdd(route, _ => new Histogram(LatencyBounds)).Observe(seconds);
    }

    public void Error(string route, string errorType) => Interlocked.Increment(ref _errors.GetOrAdd((route, errorType), _ => new long[1])[0]);

    public void Batch(int requests, int texts, int tokens)
    {
        _batchRequests.Observe(requests);
        _batchTexts.Observe(texts);
        _batchTokens.Observe(tokens);
    }

    public string Render()
    {
        var inv = CultureInfo.InvariantCulture;
        var t = new StringBuilder();
        t.Append("# HELP albertgen_requests_total HTTP requests answered, by route and status.\n# TYPE albertgen_requests_total counter\n");
        foreach (var ((route, status), n) in _requests.OrderBy(e => e.Key.Route, StringComparer.Ordinal).ThenBy(e => e.Key.Status))
            t.Append(inv, $"albertgen_requests_total{{route=\"{route}\",status=\"{status}\"}} {Interlocked.Read(ref n[0])}\n");
        t.Append("# HELP albertgen_errors_total Requests answered with an error, by route and error type.\n# TYPE albertgen_errors_total counter\n");
        foreach (var ((route, type), n) in _errors.OrderBy(e => e.Key.Route, StringComparer.Ordinal).ThenBy(e => e.Key.Type, StringComparer.Ordinal))
            t.Append(inv, $"albertgen_errors_total{{route=\"{route}\",error_type=\"{type}\"}} {Interlocked.Read(ref n[0])}\n");
        t.Append("# HELP albertgen_requests_in_flight Inference requests received and not yet answered.\n# TYPE albertgen_requests_in_flight gauge\n");
        t.Append(inv, $"albertgen_requests_in_flight {InFlight}\n");
        t.Append("# HELP albertgen_queue_depth Requests waiting for the batching worker.\n# TYPE albertgen_queue_depth gauge\n");
        t.Append(inv, $"albertgen_queue_depth {queueDepth()}\n");
        t.Append("# HELP albertgen_batch_requests Requests per dynamic batch.\n# TYPE albertgen_batch_requests histogram\n");
        _batchRequests.Write(t, "albertgen_batch_requests", "");
        t.Append("# HELP albertgen_batch_size Texts per dynamic batch.\n# TYPE albertgen_batch_size histogram\n");
        _batchTexts.Write(t, "albertgen_batch_size", "");
        t.Append("# HELP albertgen_batch_tokens Tokens per dynamic batch.\n# TYPE albertgen_batch_tokens histogram\n");
        _batchTokens.Write(t, "albertgen_batch_tokens", "");
        t.Append("# HELP albertgen_request_duration_seconds Request latency by route.\n# TYPE albertgen_request_duration_seconds histogram\n");
        foreach (var (route, h) in _latency.OrderBy(e => e.Key, StringComparer.Ordinal))
            h.Write(t, "albertgen_request_duration_seconds", $"route=\"{route}\"");
        return t.ToString();
    }
}
