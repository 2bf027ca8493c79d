namespace AlbertGen.Cli.Serve.Json;

/// <summary>One label of POST /classify.</summary>
internal sealed record LabelScoreJson(string Label, float Score);
