namespace AlbertGen.Cli.Serve.Json;

/// <summary>One candidate of POST /fill-mask (the fields of `albertgen fill-mask --json`).</summary>
internal sealed record FillMaskJson(string Token, int TokenId, float Score, string Sequence);
