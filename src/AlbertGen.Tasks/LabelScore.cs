namespace AlbertGen.Tasks;

/// <summary>A class label with its probability (HF text-classification pipeline's <c>label</c> and <c>score</c>).</summary>
public readonly record struct LabelScore(string Label, float Score);
