namespace AlbertGen.Tasks;

/// <summary>
/// Adjacent tokens of one entity type (HF token-classification pipeline, aggregation "simple"): the type without its
/// B-/I- prefix, the mean of the tokens' scores, the tokens joined back into text, character offsets [Start, End).
/// </summary>
public sealed record GroupedEntity(string EntityGroup, float Score, string Word, int Start, int End);
