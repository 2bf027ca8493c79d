namespace AlbertGen.Tasks;

/// <summary>One fill-mask candidate: vocabulary id and softmax probability at the masked position (HF's fill-mask pipeline fields).</summary>
public readonly record struct TokenScore(int TokenId, float Score);
