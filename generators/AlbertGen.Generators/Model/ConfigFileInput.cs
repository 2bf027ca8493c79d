namespace AlbertGen.Generators.Model;

/// <summary>
/// One AdditionalFile marked for generation: its path, text, and the names asked for in its metadata
/// (<c>AlbertGenModel</c>, <c>AlbertGenNamespace</c>) or the project's <c>RootNamespace</c>; <paramref name="EmbedWeights"/>:
/// <c>AlbertGenEmbedWeights="true"</c>, the build embeds the packed weights (D37).
/// </summary>
internal sealed record ConfigFileInput(string Path, string? Text, string? ClassName, string? Namespace, string? RootNamespace, bool EmbedWeights = false);
