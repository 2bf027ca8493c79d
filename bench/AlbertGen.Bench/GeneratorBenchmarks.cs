using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using AlbertGen.Generators;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AlbertGen.Bench;

/// <summary>
/// What the generator costs inside the compiler, for one albert-base-v2-shaped config:
/// <see cref="FirstRun"/> is a cold driver (read + parse JSON, validate, emit ~1000 lines);
/// <see cref="NoOpRerunAfterUnrelatedEdit"/> is what every keystroke in an unrelated C# file costs in the IDE
/// (every step cached). Run: <c>dotnet run -c Release --project bench/AlbertGen.Bench -- --filter '*Generator*'</c>.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    const string BaseConfig = """
        {
          "architectures": ["AlbertForMaskedLM"],
          "attention_probs_dropout_prob": 0, "bos_token_id": 2, "classifier_dropout_prob": 0.1, "embedding_size": 128,
          "eos_token_id": 3, "hidden_act": "gelu_new", "hidden_dropout_prob": 0, "hidden_size": 768, "initializer_range": 0.02,
          "inner_group_num": 1, "intermediate_size": 3072, "layer_norm_eps": 1e-12, "max_position_embeddings": 512,
          "model_type": "albert", "num_attention_heads": 12, "num_hidden_groups": 1, "num_hidden_layers": 12, "pad_token_id": 0,
          "position_embedding_type": "absolute", "type_vocab_size": 2, "vocab_size": 30000
        }
        """;

    CSharpCompilation _compilation = null!;
    CSharpCompilation _edited = null!;
    GeneratorDriver _cold = null!;
    GeneratorDriver _warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
        var parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
        _compilation = CSharpCompilation.Create("App",
            [CSharpSyntaxTree.ParseText("namespace App { public static class Program { public static int Main() => 0; } }", parse)],
            refs, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        _edited = _compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App { static class Edited { static int X => 1; } }", parse));
        var text = new Text("/repo/models/albert-base-v2/config.json", BaseConfig);
        _cold = CSharpGeneratorDriver.Create([new AlbertModelGenerator().AsSourceGenerator()], [text], parse, new Options(text.Path));
        _warm = _cold.RunGenerators(_compilation);
    }

    [Benchmark(Baseline = true)]
    public GeneratorDriver FirstRun() => _cold.RunGenerators(_compilation);

    [Benchmark]
    public GeneratorDriver NoOpRerunAfterUnrelatedEdit() => _warm.RunGenerators(_edited);

    sealed class Text(string path, string text) : AdditionalText
    {
        readonly SourceText _text = SourceText.From(text);

        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    sealed class Options(string configPath) : AnalyzerConfigOptionsProvider
    {
        static readonly Values Empty = new(ImmutableDictionary<string, string>.Empty);
        readonly Values _marked = new(ImmutableDictionary<string, string>.Empty
            .Add("build_metadata.AdditionalFiles.AlbertGenModel", "AlbertBaseV2")
            .Add("build_metadata.AdditionalFiles.AlbertGenNamespace", "App.Models"));

        public override AnalyzerConfigOptions GlobalOptions => Empty;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => textFile.Path == configPath ? _marked : Empty;
    }

    sealed class Values(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
