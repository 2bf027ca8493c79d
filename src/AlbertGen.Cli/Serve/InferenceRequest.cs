using AlbertGen.Tasks;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Cli.Serve;

/// <summary>
/// One HTTP request's texts waiting in the queue. The worker completes <see cref="Completion"/> with this request's
/// slice of its batch's results: float[][] (embed), LabelScore[][] (classify) or the fill-mask candidates.
/// </summary>
internal sealed class InferenceRequest(InferenceKind kind, IReadOnlyList<string> texts, int tokens, int topK, CancellationToken aborted)
{
    public InferenceKind Kind { get; } = kind;
    public IReadOnlyList<string> Texts { get; } = texts;

    /// <summary>Sum of the texts' tokenized lengths (truncated to max_position_embeddings): what the batch budget counts.</summary>
    public int Tokens { get; } = tokens;

    /// <summary>Fill-mask candidates per mask (other kinds: unused).</summary>
    public int TopK { get; } = topK;

    /// <summary>The client went away: the worker skips the request.</summary>
    public CancellationToken Aborted { get; } = aborted;

    public TaskCompletionSource<object> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public float[][] Embeddings => (float[][])Completion.Task.Result;
    public LabelScore[][] Labels => (LabelScore[][])Completion.Task.Result;
    public IReadOnlyList<IReadOnlyList<FillMaskCandidate>>[] Candidates => (IReadOnlyList<IReadOnlyList<FillMaskCandidate>>[])Completion.Task.Result;
}
