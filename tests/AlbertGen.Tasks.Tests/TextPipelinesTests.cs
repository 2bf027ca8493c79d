using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.Tasks.Pipelines;
using AlbertGen.Tests;
using AlbertGen.Tokenization;
using Xunit.Abstractions;

namespace AlbertGen.Tasks.Tests;

/// <summary>
/// Token classification and multiple choice on the CPU engine against scripts/make_pipeline_fixtures.py: HF's
/// TokenClassificationPipeline (aggregation none and simple) and softmax over AlbertForMultipleChoice's logits, computed
/// in float64 by the reference. Labels, words and offsets exactly; scores within 1e-5 relative.
/// </summary>
public class TextPipelinesTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-5;

    static TextPipelines Open(string fixture, AlbertHead head)
    {
        string dir = Fixtures.Dir(fixture);
        return new TextPipelines(CpuAlbertModel.Load(dir, head, threads: 1), AlbertTokenizer.FromModelDirectory(dir));
    }

    static JsonElement[] Expected(string fixture, string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(fixture), file))).RootElement.EnumerateArray().ToArray();

    double AssertScore(double expected, float actual, string what)
    {
        double rel = Math.Abs(actual - expected) / Math.Abs(expected);
        Assert.True(rel <= Tolerance, $"{what}: score {actual} vs HF {expected} (relative error {rel:E2})");
        return rel;
    }

    [Fact]
    public void Token_classification_without_aggregation_matches_the_hf_pipeline()
    {
        var expected = Expected("pipeline-tokcls", "token_classification_expected.json");
        var pipelines = Open("pipeline-tokcls", AlbertHead.TokenClassification);
        using var backend = pipelines.Backend;
        var texts = expected.Select(e => e.GetProperty("text").GetString()!).ToArray();
        var actual = pipelines.ClassifyTokens(texts); // one padded batch
        double maxRel = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            var e = expected[i].GetProperty("none").EnumerateArray().ToArray();
            Assert.Equal(e.Length, actual[i].Length);
            for (int t = 0; t < e.Length; t++)
            {
                var a = actual[i][t];
                Assert.Equal(e[t].GetProperty("entity").GetString(), a.Entity);
                Assert.Equal(e[t].GetProperty("index").GetInt32(), a.Index);
                Assert.Equal(e[t].GetProperty("word").GetString(), a.Word);
                Assert.Equal(e[t].GetProperty("start").GetInt32(), a.Start);
                Assert.Equal(e[t].GetProperty("end").GetInt32(), a.End);
                maxRel = Math.Max(maxRel, AssertScore(e[t].GetProperty("score").GetDouble(), a.Score, $"text {i} token {a.Index}"));
            }
        }
        output.WriteLine($"max relative score error (none): {maxRel:E2}");
    }

    [Fact]
    public void Token_classification_with_simple_aggregation_matches_the_hf_pipeline()
    {
        var expected = Expected("pipeline-tokcls", "token_classification_expected.json");
        var pipelines = Open("pipeline-tokcls", AlbertHead.TokenClassification);
        using var backend = pipelines.Backend;
        double maxRel = 0;
        foreach (var item in expected)
        {
            var e = item.GetProperty("simple").EnumerateArray().ToArray();
            var a = pipelines.ClassifyTokensGrouped([item.GetProperty("text").GetString()!])[0];
            Assert.Equal(e.Select(g => g.GetProperty("entity_group").GetString()), a.Select(g => g.EntityGroup));
            Assert.Equal(e.Select(g => g.GetProperty("word").GetString()), a.Select(g => g.Word));
            Assert.Equal(e.Select(g => g.GetProperty("start").GetInt32()), a.Select(g => g.Start));
            Assert.Equal(e.Select(g => g.GetProperty("end").GetInt32()), a.Select(g => g.End));
            for (int g = 0; g < e.Length; g++)
                maxRel = Math.Max(maxRel, AssertScore(e[g].GetProperty("score").GetDouble(), a[g].Score, $"group {a[g].Word}"));
        }
        output.WriteLine($"max relative score error (simple): {maxRel:E2}");
    }

    [Fact]
    public void Ignore_labels_filter_tokens_and_groups()
    {
        var pipelines = Open("pipeline-tokcls", AlbertHead.TokenClassification);
        using var backend = pipelines.Backend;
        const string text = "Mary visited Paris (France) and Berlin.";
        var all = pipelines.ClassifyTokens([text], ignoreLabels: [])[0];
        Assert.Equal(pipelines.Tokenizer.Encode(text).Length - 2, all.Length);
        Assert.Contains(all, e => e.Entity == "O");
        var noPer = pipelines.ClassifyTokensGrouped([text], ignoreLabels: ["O", "PER"])[0];
        Assert.All(noPer, g => Assert.Equal("LOC", g.EntityGroup));
    }

    [Fact]
    public void Entity_grouping_follows_hf_b_and_i_tags()
    {
        // HF's docstring example: (A, B-TAG), (B, I-TAG), (C, I-TAG), (D, B-TAG2), (E, B-TAG2) → ABC/TAG, D/TAG2, E/TAG2
        TokenEntity E(string word, string label, float score, int at) => new(label, score, at, word, at, at + 1);
        var groups = EntityGrouping.Group(
            [E("A", "B-TAG", 0.5f, 0), E("B", "I-TAG", 0.7f, 1), E("C", "I-TAG", 0.9f, 2), E("D", "B-TAG2", 1f, 3), E("E", "B-TAG2", 1f, 4), E("F", "O", 1f, 5), E("G", "TAG2", 1f, 6)],
            tokens => string.Concat(tokens));
        Assert.Equal(["TAG", "TAG2", "TAG2", "O", "TAG2"], groups.Select(g => g.EntityGroup));
        Assert.Equal(["ABC", "D", "E", "F", "G"], groups.Select(g => g.Word));
        Assert.Equal(0.7f, groups[0].Score, 6);
        Assert.Equal((0, 3), (groups[0].Start, groups[0].End));
    }

    [Fact]
    public void Multiple_choice_matches_the_reference_one_question_and_batched()
    {
        var expected = Expected("pipeline-mc", "multiple_choice_expected.json");
        var pipelines = Open("pipeline-mc", AlbertHead.MultipleChoice);
        using var backend = pipelines.Backend;
        var questions = expected.Select(e => (e.GetProperty("prompt").GetString()!,
            (IReadOnlyList<string>)e.GetProperty("choices").EnumerateArray().Select(c => c.GetString()!).ToArray())).ToArray();
        var batched = pipelines.MultipleChoice(questions);
        double maxRel = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            var scores = expected[i].GetProperty("scores").EnumerateArray().Select(s => s.GetDouble()).ToArray();
            var single = pipelines.MultipleChoice(questions[i].Item1, questions[i].Item2);
            foreach (var a in new[] { single, batched[i] })
            {
                Assert.Equal(expected[i].GetProperty("best").GetInt32(), a.Best);
                Assert.Equal(scores.Length, a.Scores.Length);
                for (int c = 0; c < scores.Length; c++)
                    maxRel = Math.Max(maxRel, AssertScore(scores[c], a.Scores[c], $"question {i} choice {c}"));
            }
        }
        output.WriteLine($"max relative score error (multiple choice): {maxRel:E2}");
    }

    [Fact]
    public void Multiple_choice_batch_needs_one_number_of_choices()
    {
        var pipelines = Open("pipeline-mc", AlbertHead.MultipleChoice);
        using var backend = pipelines.Backend;
        var e = Assert.Throws<AlbertInputException>(() => pipelines.MultipleChoice([("a", ["b", "c"]), ("d", ["e"])]));
        Assert.Contains("same number of choices", e.Message);
    }

    [Fact]
    public void Wrong_head_is_a_clear_error()
    {
        var mlm = Open("pipeline-mlm", AlbertHead.MaskedLM);
        using (mlm.Backend)
        {
            var e = Assert.Throws<InvalidOperationException>(() => mlm.ClassifyTokens(["text"]));
            Assert.Contains("token-classification model, this one is masked-lm", e.Message);
            Assert.Throws<InvalidOperationException>(() => mlm.ClassifyTokensGrouped(["text"]));
        }
        var tokcls = Open("pipeline-tokcls", AlbertHead.TokenClassification);
        using (tokcls.Backend)
        {
            var e = Assert.Throws<InvalidOperationException>(() => tokcls.MultipleChoice("prompt", ["a", "b"]));
            Assert.Contains("multiple-choice model, this one is token-classification", e.Message);
        }
    }
}
