namespace AlbertGen.Embedded;

/// <summary>A packed model image (D37) is not one this engine can run: wrong magic or version, truncated, a section out of bounds, another config.</summary>
public sealed class PackedModelException(string message) : Exception(message);
