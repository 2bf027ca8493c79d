namespace AlbertGen.Checkpoints;

/// <summary>A malformed, truncated, unsupported or refused <c>pytorch_model.bin</c>; the message names the file and the problem.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);
