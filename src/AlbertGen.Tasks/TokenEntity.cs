namespace AlbertGen.Tasks;

/// <summary>
/// One token's prediction (HF token-classification pipeline, aggregation "none"): the label, its softmax probability,
/// the token's position in the encoded sequence, the token piece (the input text's span for an unknown token) and the
/// character offsets [Start, End) in the input text.
/// </summary>
public sealed record TokenEntity(string Entity, float Score, int Index, string Word, int Start, int End);
