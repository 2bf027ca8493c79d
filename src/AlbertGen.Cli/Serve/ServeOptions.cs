namespace AlbertGen.Cli.Serve;

/// <summary>The settings of <c>albertgen serve</c> (one per command-line option; docs/serve.md).</summary>
internal sealed record ServeOptions
{
    /// <summary>Model folder for /embed, /v1/embeddings, /fill-mask, /tokenize; null: the embedded albert-default-embed (embeddings, tokenize) and albert-default (fill-mask).</summary>
    public string? Model { get; init; }

    /// <summary>Sequence-classification folder for /classify; null: the embedded albert-default-sst2.</summary>
    public string? Classifier { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0: any free port (the bound URL is printed on stdout).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Tokens (tokenized lengths) one dynamic batch gathers from queued requests; also the pipelines' padded budget.</summary>
    public int MaxBatchTokens { get; init; } = 2048;

    /// <summary>Requests waiting for the worker; one more answers 429 at once.</summary>
    public int MaxQueue { get; init; } = 128;

    /// <summary>Texts in one request; more answer 413.</summary>
    public int MaxInputs { get; init; } = 256;

    /// <summary>Request body bytes (Kestrel's MaxRequestBodySize); more answer 413.</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>How long SIGTERM waits for accepted requests before the host gives up on them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
