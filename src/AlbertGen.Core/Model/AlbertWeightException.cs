namespace AlbertGen.Model;

/// <summary>
/// A checkpoint does not fit its config. <see cref="Problems"/> lists every missing tensor and wrong shape by HF name;
/// the message is one line: the count and the first few (a CLI error is one line on stderr).
/// </summary>
public sealed class AlbertWeightException(string path, IReadOnlyList<string> problems)
    : Exception(Summary(path, problems))
{
    /// <summary>How many problems the one-line message names before "and N more".</summary>
    public const int ProblemsInMessage = 3;

    public string Path { get; } = path;
    public IReadOnlyList<string> Problems { get; } = problems;

    static string Summary(string path, IReadOnlyList<string> problems)
    {
        string shown = string.Join("; ", problems.Take(ProblemsInMessage));
        int more = problems.Count - ProblemsInMessage;
        return $"{path}: {problems.Count} problem(s) with the weights: {shown}" + (more > 0 ? $"; and {more} more" : "");
    }
}
