namespace AlbertGen.Cli.Serve.Json;

/// <summary>GET /info.</summary>
internal sealed record InfoResponse(string ModelId, string ClassifierId, int MaxInputLength, int MaxBatchTokens, int MaxQueue,
    int MaxClientBatchSize, long MaxBodyBytes, int HiddenSize, string[] Routes, string Version);
