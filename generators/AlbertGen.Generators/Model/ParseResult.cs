namespace AlbertGen.Generators.Model;

/// <summary>What the parser made of one config file: a spec to emit (null when the config is invalid) and its diagnostics.</summary>
internal sealed record ParseResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
