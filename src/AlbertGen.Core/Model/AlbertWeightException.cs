namespace AlbertGen.Model;

/// <summary>A checkpoint does not fit its config: every missing tensor and wrong shape, listed at once by HF name.</summary>
public sealed class AlbertWeightException(string path, IReadOnlyList<string> problems)
    : Exception($"{path}: {problems.Count} problem(s) with the weights:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems))
{
    public string Path { get; } = path;
    public IReadOnlyList<string> Problems { get; } = problems;
}
