namespace AlbertGen.Tasks.Distillation;

/// <summary>Two sentences and their gold similarity (STS benchmark: 0 … 5).</summary>
public sealed record SentencePair(string A, string B, double Score);
