namespace AlbertGen.Cli.Serve.Json;

/// <summary>One vector of an OpenAI embeddings response.</summary>
internal sealed record OpenAiEmbedding(string Object, float[] Embedding, int Index);
