namespace AlbertGen.Cli.Serve.Json;

/// <summary>POST /v1/embeddings (OpenAI's embeddings response).</summary>
internal sealed record OpenAiEmbeddingsResponse(string Object, OpenAiEmbedding[] Data, string Model, OpenAiUsage Usage);
