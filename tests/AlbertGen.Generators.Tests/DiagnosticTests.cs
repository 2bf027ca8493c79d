using Microsoft.CodeAnalysis;

namespace AlbertGen.Generators.Tests;

/// <summary>One test per diagnostic: its ID, exact message and location in the config file; an invalid config emits no code.</summary>
public class DiagnosticTests
{
    const string Path = "/repo/models/cfg/config.json";

    /// <summary>A valid minimal config; tests edit single lines. Line numbers below are 1-based, as an editor shows them.</summary>
    const string Valid = """
        {
          "vocab_size": 99,
          "embedding_size": 16,
          "hidden_size": 32,
          "num_hidden_layers": 2,
          "num_attention_heads": 4,
          "intermediate_size": 37
        }
        """;

    static GeneratorRun Run(string json, string? model = null, string? ns = null) =>
        GeneratorHarness.Run(ConfigFile.Marked(Path, json, model, ns));

    /// <summary>Asserts exactly one diagnostic, with this id, message and 1-based start line/column, and (for errors) no generated source.</summary>
    static void AssertSingle(GeneratorRun run, string id, string message, int line, int column, DiagnosticSeverity severity = DiagnosticSeverity.Error)
    {
        var d = Assert.Single(run.Diagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(severity, d.Severity);
        Assert.Equal(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        var span = d.Location.GetLineSpan();
        Assert.Equal(Path, span.Path);
        Assert.Equal((line, column), (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1));
        if (severity == DiagnosticSeverity.Error)
            Assert.Empty(run.Sources);
        Assert.DoesNotContain(run.Diagnostics, x => x.Id.StartsWith("CS", StringComparison.Ordinal)); // no generator crash (CS8785)
    }

    [Fact]
    public void Valid_config_has_no_diagnostics()
    {
        var run = Run(Valid);
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.Sources);
        Assert.Empty(run.CompileErrors);
    }

    [Fact]
    public void ALBG001_malformed_json_points_at_the_error()
    {
        string json = Valid.Replace("\"hidden_size\": 32,", "\"hidden_size\": 32");
        AssertSingle(Run(json), "ALBG001",
            "cfg/config.json: malformed JSON at line 5, column 3: expected ',' or '}' after the value of \"hidden_size\", found '\"'", 5, 3);
    }

    [Fact]
    public void ALBG001_top_level_must_be_an_object()
    {
        AssertSingle(Run("\n  [1, 2]"), "ALBG001",
            "cfg/config.json: malformed JSON at line 2, column 3: expected a JSON object at the top level, found an array", 2, 3);
    }

    [Fact]
    public void ALBG001_unterminated_string()
    {
        AssertSingle(Run("{\n  \"vocab_size\": \"99\n}"), "ALBG001",
            "cfg/config.json: malformed JSON at line 2, column 20: unterminated string (line break inside a string)", 2, 20);
    }

    [Fact]
    public void ALBG002_missing_required_key_points_at_the_object()
    {
        string json = Valid.Replace(",\n  \"intermediate_size\": 37", "");
        AssertSingle(Run(json), "ALBG002", "cfg/config.json: required key 'intermediate_size' is missing", 1, 1);
    }

    [Fact]
    public void ALBG003_wrong_type_points_at_the_key()
    {
        string json = Valid.Replace("\"hidden_size\": 32", "\"hidden_size\": \"32\"");
        AssertSingle(Run(json), "ALBG003", "cfg/config.json: 'hidden_size' must be an integer, found the string \"32\"", 4, 3);
    }

    [Fact]
    public void ALBG003_fractional_size_is_not_an_integer()
    {
        string json = Valid.Replace("\"vocab_size\": 99", "\"vocab_size\": 99.5");
        AssertSingle(Run(json), "ALBG003", "cfg/config.json: 'vocab_size' must be an integer, found the number 99.5", 2, 3);
    }

    [Fact]
    public void ALBG004_non_positive_size()
    {
        string json = Valid.Replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 0");
        AssertSingle(Run(json), "ALBG004", "cfg/config.json: 'num_hidden_layers' must be positive, found 0", 5, 3);
    }

    [Fact]
    public void ALBG005_hidden_size_not_divisible_by_heads()
    {
        string json = Valid.Replace("\"hidden_size\": 32", "\"hidden_size\": 30");
        AssertSingle(Run(json), "ALBG005", "cfg/config.json: hidden_size 30 is not a multiple of num_attention_heads 4", 4, 3);
    }

    [Fact]
    public void ALBG006_unknown_hidden_act()
    {
        string json = Valid.Replace("\"vocab_size\": 99,", "\"vocab_size\": 99,\n  \"hidden_act\": \"gelu_erf\",");
        AssertSingle(Run(json), "ALBG006",
            "cfg/config.json: unknown hidden_act 'gelu_erf' (known: gelu_new, gelu_pytorch_tanh, gelu_python_tanh, gelu_accurate, gelu, gelu_python, gelu_fast, quick_gelu, relu, silu, swish, tanh, sigmoid, linear)", 3, 3);
    }

    [Fact]
    public void ALBG007_relative_position_embeddings_are_not_supported()
    {
        string json = Valid.Replace("\"vocab_size\": 99,", "\"vocab_size\": 99,\n  \"position_embedding_type\": \"relative_key\",");
        AssertSingle(Run(json), "ALBG007", "cfg/config.json: position_embedding_type 'relative_key' is not supported; only 'absolute' is", 3, 3);
    }

    [Fact]
    public void ALBG008_two_configs_generating_the_same_type()
    {
        var run = GeneratorHarness.Run(
            ConfigFile.Marked("/repo/a/config.json", Valid, "Same", "App"),
            ConfigFile.Marked("/repo/b/config.json", Valid, "Same", "App"));
        var d = Assert.Single(run.Diagnostics);
        Assert.Equal("ALBG008", d.Id);
        Assert.Equal("b/config.json: the model type 'App.Same' is already generated from a/config.json; set a different AlbertGenModel or AlbertGenNamespace",
            d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("/repo/b/config.json", d.Location.GetLineSpan().Path);
        Assert.Single(run.Sources); // the first one is still generated, and compiles
        Assert.Empty(run.CompileErrors);
    }

    [Theory]
    [InlineData("class")]
    [InlineData("2Layers")]
    [InlineData("My-Model")]
    [InlineData("VocabSize")]
    public void ALBG009_invalid_class_name(string name)
    {
        AssertSingle(Run(Valid, model: name), "ALBG009", $"cfg/config.json: '{name}' is not a valid C# class name; set AlbertGenModel to one", 1, 1);
    }

    [Fact]
    public void ALBG009_default_class_name_from_an_unusable_folder()
    {
        var run = GeneratorHarness.Run(ConfigFile.Marked("/repo/models/2-layers/config.json", Valid));
        var d = Assert.Single(run.Diagnostics);
        Assert.Equal("ALBG009", d.Id);
        Assert.Equal("2-layers/config.json: '2Layers' is not a valid C# class name; set AlbertGenModel to one", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("My..App")]
    [InlineData("My.namespace")]
    [InlineData("My App")]
    public void ALBG010_invalid_namespace(string ns)
    {
        AssertSingle(Run(Valid, model: "Good", ns: ns), "ALBG010", $"cfg/config.json: '{ns}' is not a valid C# namespace; set AlbertGenNamespace to one", 1, 1);
    }

    [Fact]
    public void ALBG011_invalid_value_names_the_key()
    {
        string json = Valid.Replace("\"vocab_size\": 99,", "\"vocab_size\": 99,\n  \"model_type\": \"bert\",");
        AssertSingle(Run(json), "ALBG011", "cfg/config.json: 'model_type': expected 'albert', found 'bert'", 3, 3);
    }

    [Fact]
    public void ALBG011_more_groups_than_layers()
    {
        string json = Valid.Replace("\"vocab_size\": 99,", "\"vocab_size\": 99,\n  \"num_hidden_groups\": 3,");
        AssertSingle(Run(json), "ALBG011",
            "cfg/config.json: 'num_hidden_groups': 3 groups for 2 layers: some groups would never be used (HF would leave them untrained)", 3, 3);
    }

    [Theory]
    [InlineData("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 1000000000", "'num_hidden_layers': num_hidden_layers is 1000000000, more than the limit of 4096", 5)]
    [InlineData("\"intermediate_size\": 37", "\"intermediate_size\": 37,\n  \"inner_group_num\": 1e9", "'inner_group_num': inner_group_num is 1000000000, more than the limit of 4096", 8)]
    [InlineData("\"intermediate_size\": 37", "\"intermediate_size\": 37,\n  \"inner_group_num\": 2049", "'inner_group_num': num_hidden_layers × inner_group_num (layers a forward runs) is 4098, more than the limit of 4096", 8)]
    public void ALBG011_layer_counts_are_bounded_before_anything_is_allocated(string find, string replace, string message, int line)
    {
        string json = Valid.Replace(find, replace);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = Parser.Parse(new Model.ConfigFileInput(Path, json, "M", "N", null), CancellationToken.None);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "parsing a config with a huge layer count must not allocate in proportion to it");
        Assert.Null(result.Spec);
        AssertSingle(Run(json), "ALBG011", "cfg/config.json: " + message, line, 3);
    }

    [Fact]
    public void ALBG011_weights_over_the_total_budget_name_the_key_behind_them()
    {
        // 4 stored layers of about 6 · 20000² elements each (every tensor < 2^31), plus a 20000² pooler: 1e10 elements, over the 8e9 budget
        string json = Valid.Replace("\"hidden_size\": 32", "\"hidden_size\": 20000").Replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 4")
            .Replace("\"intermediate_size\": 37", "\"intermediate_size\": 20000,\n  \"num_hidden_groups\": 4");
        var d = Assert.Single(Run(json).Diagnostics);
        Assert.Equal("ALBG011", d.Id);
        Assert.StartsWith("cfg/config.json: 'num_hidden_groups': the weights would hold 100", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("more than the budget of 8000000000", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ALBG011_question_answering_needs_two_labels()
    {
        string json = Valid.Replace("\"vocab_size\": 99,", "\"vocab_size\": 99,\n  \"architectures\": [\"AlbertForQuestionAnswering\"],\n  \"num_labels\": 3,");
        AssertSingle(Run(json), "ALBG011",
            "cfg/config.json: 'num_labels': AlbertForQuestionAnswering splits qa_outputs into start and end logits, so it needs 2 labels (found 3)", 4, 3);
    }

    [Fact]
    public void ALBG012_unknown_architecture_is_a_warning_and_code_is_still_generated()
    {
        string json = Valid.Replace("\"vocab_size\": 99,", "\"vocab_size\": 99,\n  \"architectures\": [\"BertForMaskedLM\"],");
        var run = Run(json);
        AssertSingle(run, "ALBG012",
            "cfg/config.json: architecture 'BertForMaskedLM' is not an ALBERT class AlbertGen knows; it is ignored (known: AlbertModel, AlbertForPreTraining, AlbertForMaskedLM, AlbertForSequenceClassification, AlbertForTokenClassification, AlbertForQuestionAnswering, AlbertForMultipleChoice)",
            3, 3, DiagnosticSeverity.Warning);
        Assert.Single(run.Sources);
        Assert.Empty(run.CompileErrors);
    }

    [Fact]
    public void ALBG013_unreadable_file()
    {
        AssertSingle(Run(null!), "ALBG013", "cfg/config.json: the config file could not be read", 1, 1);
    }

    [Fact]
    public void Every_problem_of_a_file_is_reported_at_once()
    {
        string json = Valid.Replace("\"hidden_size\": 32", "\"hidden_size\": true").Replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": -1");
        var run = Run(json);
        Assert.Equal(["ALBG003", "ALBG004"], run.Diagnostics.Select(d => d.Id).OrderBy(x => x));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Every_descriptor_has_a_unique_stable_id()
    {
        var ids = typeof(DiagnosticDescriptors).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^ALBG0[0-9]{2}$", id));
        Assert.Equal(13, ids.Count);
    }

    [Fact]
    public void Every_truncation_of_a_config_gives_diagnostics_never_an_exception()
    {
        string json = File.ReadAllText(Fixtures.Config("seqcls-single"));
        for (int n = 0; n < json.Length; n++)
        {
            var result = Parser.Parse(new Model.ConfigFileInput(Path, json[..n], "M", "N", null), CancellationToken.None);
            if (result.Spec is null)
                Assert.NotEmpty(result.Diagnostics);
        }
        // and a few hostile ones
        foreach (var bad in new[] { "{\"a\": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", "{\"vocab_size\": 1e999}", "{\"vocab_size\": -0}", "\uFEFF", "{/* */", "{\"x\": \"\\u12\"}", "nul" })
        {
            var result = Parser.Parse(new Model.ConfigFileInput(Path, bad, "M", "N", null), CancellationToken.None);
            Assert.Null(result.Spec);
            Assert.NotEmpty(result.Diagnostics);
        }
    }
}
