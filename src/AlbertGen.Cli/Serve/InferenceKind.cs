namespace AlbertGen.Cli.Serve;

/// <summary>The model calls the queue runs; only requests of one kind (and one model) share a batch.</summary>
internal enum InferenceKind
{
    Embed,
    Classify,
    FillMask,
}
