namespace AlbertGen.Tasks;

/// <summary>An extractive answer: token positions [Start, End] (inclusive) and p(start)·p(end).</summary>
public readonly record struct AnswerSpan(int Start, int End, float Score);
