using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Rules;

namespace AlbertGen.Tests;

/// <summary>The shared rules (src/AlbertGen.Core/Rules, linked into the generator) as Core uses them.</summary>
public class ConfigRulesTests
{
    static readonly string TinyConfig = File.ReadAllText(Path.Combine(Fixtures.Dir("tiny"), "config.json"));

    static string WithKeys(params (string Key, string Json)[] keys)
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(TinyConfig)!.AsObject();
        foreach (var (key, json) in keys)
            doc[key] = System.Text.Json.Nodes.JsonNode.Parse(json);
        return doc.ToJsonString();
    }

    /// <summary>Rejected by the rules alone: no weight list, group table or buffer sized by the config is built first.</summary>
    static AlbertConfigException RejectedWithoutAllocating(string json)
    {
        AlbertConfig.Parse(TinyConfig); // warm up: JIT and statics are not the config's allocations
        Assert.Throws<AlbertConfigException>(() => AlbertConfig.Parse(json));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<AlbertConfigException>(() => AlbertConfig.Parse(json, "huge/config.json"));
        Assert.True(started.ElapsedMilliseconds < 1000, $"took {started.ElapsedMilliseconds} ms");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
        Assert.Contains("huge/config.json", e.Message);
        return e;
    }

    [Theory]
    [InlineData("num_hidden_layers", "1000000000", "num_hidden_layers")]
    [InlineData("inner_group_num", "1e9", "inner_group_num")]
    [InlineData("inner_group_num", "1100", "inner_group_num")] // 4 layers × 1100 inner > 4096
    [InlineData("num_hidden_groups", "5000", "num_hidden_groups")]
    public void Layer_counts_are_bounded_before_anything_is_allocated(string key, string value, string expectedKey)
    {
        var e = RejectedWithoutAllocating(WithKeys((key, value)));
        Assert.Equal(expectedKey, e.Key);
        Assert.Contains("limit of 4096", e.Message);
    }

    [Fact]
    public void A_tensor_over_2_pow_31_elements_names_its_key()
    {
        var e = RejectedWithoutAllocating(WithKeys(("intermediate_size", "100000000"))); // ffn.weight 1e8 × 32
        Assert.Equal("intermediate_size", e.Key);
        Assert.Contains("too large", e.Message);
    }

    [Fact]
    public void Weights_over_the_total_budget_name_the_key_behind_them()
    {
        // every tensor fits in 2^31 elements, but 4 stored layers of ~6 · 20000² elements are ~9.6e9 in all
        var e = RejectedWithoutAllocating(WithKeys(("hidden_size", "20000"), ("num_attention_heads", "4"), ("intermediate_size", "20000"),
            ("num_hidden_layers", "4"), ("num_hidden_groups", "4")));
        Assert.Equal("num_hidden_groups", e.Key);
        Assert.Contains("budget of 8000000000", e.Message);
        // one stored layer of ~6 · 40000² elements: the hidden size is to blame
        e = RejectedWithoutAllocating(WithKeys(("hidden_size", "40000"), ("num_attention_heads", "4"), ("intermediate_size", "40000")));
        Assert.Equal("hidden_size", e.Key);
    }

    [Fact]
    public void Weight_list_of_an_unvalidated_config_is_refused_before_it_is_built()
    {
        var config = new AlbertConfig { VocabSize = 99, HiddenSize = 32, NumAttentionHeads = 4, IntermediateSize = 37, InnerGroupNum = 1_000_000_000 };
        var e = Assert.Throws<AlbertConfigException>(() => AlbertWeightNames.For(config, AlbertHead.Base));
        Assert.Equal("inner_group_num", e.Key);
    }

    [Fact]
    public void Sizes_within_the_budgets_still_load_as_before()
    {
        var c = AlbertConfig.Parse(WithKeys(("num_hidden_layers", "4096"), ("inner_group_num", "1")));
        Assert.Equal(4096, c.NumHiddenLayers);
        // albert-xxlarge-v2's shapes are well inside every budget
        AlbertConfig.Parse("""{"vocab_size": 30000, "hidden_size": 4096, "num_hidden_layers": 12, "num_attention_heads": 64, "intermediate_size": 16384}""");
    }

    [Fact]
    public void Head_table_rows_are_in_AlbertHead_order()
    {
        Assert.Equal(AlbertHeads.All.Select(h => h.ToString()), HeadTable.Rows.Select(r => r.Member));
        Assert.Equal(AlbertHead.QuestionAnswering, AlbertHeads.TryParseHfClassName("AlbertForQuestionAnswering", out var qa) ? qa : AlbertHead.Base);
        Assert.True(AlbertHeads.TryParseCliName("Masked-LM", out var mlm));
        Assert.Equal(AlbertHead.MaskedLM, mlm);
        Assert.False(AlbertHeads.TryParseCliName("masked", out _));
    }

    [Fact]
    public void Activation_table_names_existing_kinds_and_covers_every_kind()
    {
        Assert.Equal(ActivationTable.Rows.Length, Activations.ByName.Count); // no name twice
        foreach (var (name, kind) in ActivationTable.Rows)
            Assert.Equal(kind, Activations.ByName[name].ToString());
        Assert.Equal(Enum.GetValues<ActivationKind>().Order(), ActivationTable.Rows.Select(r => Enum.Parse<ActivationKind>(r.Kind)).Distinct().Order());
    }

    [Fact]
    public void Question_answering_label_rule_is_the_same_for_every_backend()
    {
        var c = AlbertConfig.Parse(WithKeys(("num_labels", "3")));
        var e = Assert.Throws<AlbertConfigException>(() => c.ValidateFor(AlbertHead.QuestionAnswering));
        Assert.Equal("num_labels", e.Key);
        Assert.Contains("AlbertForQuestionAnswering splits qa_outputs into start and end logits, so it needs 2 labels (found 3)", e.Message);
        c.ValidateFor(AlbertHead.SequenceClassification);
    }
}
