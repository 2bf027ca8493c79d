using System;
using Microsoft.CodeAnalysis;

namespace AlbertGen.Generators;

/// <summary>
/// Every diagnostic the generator reports. IDs are stable: never renumber or reuse one (AnalyzerReleases.*.md
/// tracks them). Each points into the config file: at the JSON error, else at the offending key.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "AlbertGen";

    public static readonly DiagnosticDescriptor MalformedJson = new(
        "ALBG001", "Malformed config JSON",
        "{0}: malformed JSON at line {1}, column {2}: {3}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingKey = new(
        "ALBG002", "Missing required config key",
        "{0}: required key '{1}' is missing",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "vocab_size, hidden_size, num_hidden_layers, num_attention_heads and intermediate_size define the model's shape; AlbertGen does not guess them.");

    public static readonly DiagnosticDescriptor WrongType = new(
        "ALBG003", "Config key has the wrong type",
        "{0}: '{1}' must be {2}, found {3}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NonPositiveSize = new(
        "ALBG004", "Config size must be positive",
        "{0}: '{1}' must be positive, found {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor HiddenSizeNotDivisible = new(
        "ALBG005", "hidden_size is not a multiple of num_attention_heads",
        "{0}: hidden_size {1} is not a multiple of num_attention_heads {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownActivation = new(
        "ALBG006", "Unknown hidden_act",
        "{0}: unknown hidden_act '{1}' (known: {2})",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedPositionEmbedding = new(
        "ALBG007", "Unsupported position_embedding_type",
        "{0}: position_embedding_type '{1}' is not supported; only 'absolute' is",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateTypeName = new(
        "ALBG008", "Two configs generate the same type",
        "{0}: the model type '{1}' is already generated from {2}; set a different AlbertGenModel or AlbertGenNamespace",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidClassName = new(
        "ALBG009", "Invalid model class name",
        "{0}: '{1}' is not a valid C# class name; set AlbertGenModel to one",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidNamespace = new(
        "ALBG010", "Invalid namespace",
        "{0}: '{1}' is not a valid C# namespace; set AlbertGenNamespace to one",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidValue = new(
        "ALBG011", "Invalid config value",
        "{0}: '{1}': {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownArchitecture = new(
        "ALBG012", "Unknown architecture",
        "{0}: architecture '{1}' is not an ALBERT class AlbertGen knows; it is ignored (known: {2})",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnreadableFile = new(
        "ALBG013", "Config file could not be read",
        "{0}: the config file could not be read",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor[] All =
    {
        MalformedJson, MissingKey, WrongType, NonPositiveSize, HiddenSizeNotDivisible, UnknownActivation,
        UnsupportedPositionEmbedding, DuplicateTypeName, InvalidClassName, InvalidNamespace, InvalidValue,
        UnknownArchitecture, UnreadableFile,
    };

    public static DiagnosticDescriptor ById(string id)
    {
        foreach (var d in All)
        {
            if (d.Id == id)
                return d;
        }
        throw new ArgumentException("unknown diagnostic id " + id, nameof(id));
    }
}
