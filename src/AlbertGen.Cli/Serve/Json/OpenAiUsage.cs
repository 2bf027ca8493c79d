namespace AlbertGen.Cli.Serve.Json;

/// <summary>Tokens of an OpenAI embeddings request (tokenized lengths with [CLS]/[SEP], after truncation).</summary>
internal sealed record OpenAiUsage(int PromptTokens, int TotalTokens);
