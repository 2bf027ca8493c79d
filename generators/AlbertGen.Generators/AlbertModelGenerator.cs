using System.Collections.Generic;
using System.Threading;
using AlbertGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AlbertGen.Generators;

/// <summary>
/// Generates a typed ALBERT model class per config file marked in the project:
/// <code>
/// &lt;AdditionalFiles Include="models/albert-base-v2/config.json" AlbertGenModel="AlbertBaseV2" AlbertGenNamespace="MyApp.Models" /&gt;
/// &lt;AdditionalFiles Include="models/tiny/config.json" AlbertGen="true" /&gt;
/// </code>
/// Pipeline: AdditionalFiles + their metadata → <see cref="ConfigFileInput"/> → <see cref="Parser"/> →
/// <see cref="ModelSpec"/> (equatable) → duplicate-name check → <see cref="Emitter"/>. Diagnostics and sources are
/// separate outputs, and every step's model is equatable, so edits to C# files re-run nothing here.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class AlbertModelGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps (the caching test checks each is cached after unrelated edits).</summary>
    public static class Steps
    {
        public const string Input = "AlbertGen.Input";
        public const string Parse = "AlbertGen.Parse";
        public const string Models = "AlbertGen.Models";
        public const string Emit = "AlbertGen.Emit";
        public const string Diagnostics = "AlbertGen.Diagnostics";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var inputs = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) => ReadInput(pair.Left, pair.Right, ct))
            .Where(static input => input is not null)
            .Select(static (input, _) => input!)
            .WithTrackingName(Steps.Input);

        var parsed = inputs
            .Select(static (input, ct) => Parser.Parse(input, ct))
            .WithTrackingName(Steps.Parse);

        var models = parsed
            .Select(static (result, _) => result.Spec)
            .Where(static spec => spec is not null)
            .Collect()
            .Select(static (specs, _) => RemoveDuplicates(specs!))
            .WithTrackingName(Steps.Models);

        var sources = models
            .SelectMany(static (set, _) => set.Models)
            .Select(static (spec, _) => Emitter.Emit(spec))
            .WithTrackingName(Steps.Emit);

        context.RegisterSourceOutput(sources, static (spc, source) => spc.AddSource(source.HintName, source.Text));

        var diagnostics = parsed
            .SelectMany(static (result, _) => result.Diagnostics)
            .Collect()
            .Combine(models.Select(static (set, _) => set.Diagnostics))
            .Select(static (pair, _) => Concat(pair.Left, pair.Right))
            .WithTrackingName(Steps.Diagnostics);

        context.RegisterSourceOutput(diagnostics, static (spc, all) =>
        {
            foreach (var d in all)
                spc.ReportDiagnostic(d.ToDiagnostic());
        });
    }

    private static ConfigFileInput? ReadInput(AdditionalText file, AnalyzerConfigOptionsProvider options, CancellationToken cancellationToken)
    {
        var fileOptions = options.GetOptions(file);
        fileOptions.TryGetValue("build_metadata.AdditionalFiles.AlbertGenModel", out var className);
        fileOptions.TryGetValue("build_metadata.AdditionalFiles.AlbertGen", out var flag);
        bool marked = !string.IsNullOrWhiteSpace(className) || string.Equals(flag?.Trim(), "true", System.StringComparison.OrdinalIgnoreCase);
        if (!marked)
            return null;
        fileOptions.TryGetValue("build_metadata.AdditionalFiles.AlbertGenNamespace", out var ns);
        options.GlobalOptions.TryGetValue("build_property.RootNamespace", out var rootNamespace);
        fileOptions.TryGetValue("build_metadata.AdditionalFiles.AlbertGenEmbedWeights", out var embed);
        bool embedWeights = string.Equals(embed?.Trim(), "true", System.StringComparison.OrdinalIgnoreCase);
        string? text = file.GetText(cancellationToken)?.ToString();
        return new ConfigFileInput(file.Path, text, className, ns, rootNamespace, embedWeights);
    }

    /// <summary>Keeps the first config per full type name (in file order) and reports the others.</summary>
    private static ModelSet RemoveDuplicates(System.Collections.Immutable.ImmutableArray<ModelSpec> specs)
    {
        var seen = new Dictionary<string, ModelSpec>(System.StringComparer.Ordinal);
        var kept = new List<ModelSpec>();
        var diagnostics = new List<DiagnosticInfo>();
        foreach (var spec in specs)
        {
            if (seen.TryGetValue(spec.FullName, out var first))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateTypeName, spec.Location,
                    spec.SourceName, spec.FullName, first.SourceName));
                continue;
            }
            seen.Add(spec.FullName, spec);
            kept.Add(spec);
        }
        return new ModelSet(new EquatableArray<ModelSpec>(kept), new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    private static EquatableArray<DiagnosticInfo> Concat(System.Collections.Immutable.ImmutableArray<DiagnosticInfo> a, EquatableArray<DiagnosticInfo> b)
    {
        var all = new List<DiagnosticInfo>(a);
        all.AddRange(b);
        return new EquatableArray<DiagnosticInfo>(all);
    }
}
