namespace AlbertGen.Tasks.FineTuning;

/// <summary>
/// One text (or text pair) with its label: a class index for single-label classification (<see cref="Label"/>), else
/// <see cref="Targets"/>: the value for regression, a 0/1 vector over the labels for multi-label classification.
/// </summary>
public sealed record SequenceExample(string Text, string? Pair, int Label, float[]? Targets = null);
