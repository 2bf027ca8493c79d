using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AlbertGen.Generators.Tests;

/// <summary>One AdditionalFile for a driver run: path, text, and its item metadata (AlbertGenModel, ...).</summary>
public sealed record ConfigFile(string Path, string? Text, IReadOnlyDictionary<string, string> Metadata)
{
    public static ConfigFile Marked(string path, string? text, string? model = null, string? ns = null)
    {
        var md = new Dictionary<string, string>();
        if (model is null)
            md["AlbertGen"] = "true";
        else
            md["AlbertGenModel"] = model;
        if (ns is not null)
            md["AlbertGenNamespace"] = ns;
        return new ConfigFile(path, text, md);
    }
}

/// <summary>Drives <see cref="AlbertModelGenerator"/> through <see cref="CSharpGeneratorDriver"/>, as the compiler does.</summary>
public static class GeneratorHarness
{
    public const string RootNamespace = "TestApp";

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create("TestApp",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest), path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>The framework, AlbertGen.Core and its dependencies: everything the test host itself loads from.</summary>
    static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    public static GeneratorDriver CreateDriver(IEnumerable<ConfigFile> files, string? rootNamespace = RootNamespace) =>
        CreateDriver(files, out _, rootNamespace);

    public static GeneratorDriver CreateDriver(IEnumerable<ConfigFile> files, out ImmutableArray<AdditionalText> texts, string? rootNamespace = RootNamespace)
    {
        texts = files.Select(ToAdditionalText).ToImmutableArray();
        var options = new TestOptionsProvider(rootNamespace, files.ToDictionary(f => f.Path, f => f.Metadata));
        return CSharpGeneratorDriver.Create(
            [new AlbertModelGenerator().AsSourceGenerator()],
            texts,
            CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest),
            options,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>Runs the generator once over <paramref name="files"/> plus an empty program.</summary>
    public static GeneratorRun Run(params ConfigFile[] files) => Run(files, RootNamespace);

    public static GeneratorRun Run(IEnumerable<ConfigFile> files, string? rootNamespace)
    {
        var compilation = CreateCompilation("namespace TestApp { public static class Program { } }");
        var driver = CreateDriver(files, rootNamespace).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorRun(driver, driver.GetRunResult(), output, diagnostics);
    }

    /// <summary>The test source folder (snapshots are read from and written to the repository, not the output folder).</summary>
    public static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    public static AdditionalText ToAdditionalText(ConfigFile file) => new InMemoryAdditionalText(file.Path, file.Text);

    sealed class InMemoryAdditionalText(string path, string? text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText? GetText(CancellationToken cancellationToken = default) =>
            text is null ? null : SourceText.From(text, Encoding.UTF8);
    }

    sealed class TestOptionsProvider(string? rootNamespace, Dictionary<string, IReadOnlyDictionary<string, string>> metadata) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(rootNamespace is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { ["build_property.RootNamespace"] = rootNamespace });

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
            metadata.TryGetValue(textFile.Path, out var md)
                ? new Options(md.ToDictionary(kv => "build_metadata.AdditionalFiles." + kv.Key, kv => kv.Value))
                : Options.Empty;
    }

    sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new([]);

        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}

public sealed record GeneratorRun(GeneratorDriver Driver, GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> CompilationDiagnostics)
{
    public ImmutableArray<Diagnostic> Diagnostics => Result.Diagnostics;

    public IReadOnlyList<GeneratedSourceResult> Sources => Result.Results.Single().GeneratedSources;

    /// <summary>Errors of the compilation including the generated code.</summary>
    public IReadOnlyList<Diagnostic> CompileErrors =>
        Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
}
