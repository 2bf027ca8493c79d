namespace AlbertGen.Generators.Model;

/// <summary>One generated file.</summary>
internal sealed record EmittedSource(string HintName, string Text);
