namespace AlbertGen.Generators.Model;

/// <summary>All valid specs of the compilation after the duplicate-name check: the ones to emit, and the duplicates' diagnostics.</summary>
internal sealed record ModelSet(EquatableArray<ModelSpec> Models, EquatableArray<DiagnosticInfo> Diagnostics);
