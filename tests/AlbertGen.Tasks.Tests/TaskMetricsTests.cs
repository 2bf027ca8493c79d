using AlbertGen.Tasks.FineTuning;

namespace AlbertGen.Tasks.Tests;

/// <summary>The fine-tuning metrics on small cases worked by hand.</summary>
public class TaskMetricsTests
{
    [Fact]
    public void Pearson_matches_the_hand_computed_value()
    {
        // dx = (-1.5, -0.5, 0.5, 1.5), dy = (-3, -1, 0, 4): Σdxdy = 11, Σdx² = 5, Σdy² = 26
        Assert.Equal(11 / Math.Sqrt(130), RegressionMetrics.Pearson([1, 2, 3, 4], [2, 4, 5, 9]), 12);
        Assert.Equal(-1, RegressionMetrics.Pearson([1, 2, 3], [3, 2, 1]), 12);
    }

    [Fact]
    public void Tied_values_share_the_average_rank()
    {
        Assert.Equal([3.5, 1, 3.5, 2], RegressionMetrics.Ranks([3, 1, 3, 2]));
        // ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5
        Assert.Equal(3 / Math.Sqrt(10), RegressionMetrics.Spearman([1, 2, 2, 3], [10, 20, 30, 40]), 12);
        // monotone but not linear: Spearman 1, Pearson below 1
        Assert.Equal(1, RegressionMetrics.Spearman([1, 2, 3, 4], [1, 10, 100, 1000]), 12);
        Assert.True(RegressionMetrics.Pearson([1, 2, 3, 4], [1, 10, 100, 1000]) < 0.9);
    }

    [Fact]
    public void Mean_squared_error()
    {
        Assert.Equal((1 + 4 + 0) / 3.0, RegressionMetrics.MeanSquaredError([1, 2, 3], [2, 4, 3]), 12);
    }

    [Fact]
    public void Micro_f1_and_subset_accuracy_over_label_sets()
    {
        bool[][] predicted = [[true, false, true], [false, true, false], [true, false, false]];
        bool[][] truth = [[true, false, false], [false, true, true], [true, false, false]];
        // tp 3, fp 1, fn 1 → 2·3 / (2·3 + 1 + 1)
        Assert.Equal(6.0 / 8, MultiLabelMetrics.MicroF1(predicted, truth), 12);
        Assert.Equal(1.0 / 3, MultiLabelMetrics.SubsetAccuracy(predicted, truth), 12);
    }

    [Fact]
    public void Seqeval_entities_follow_the_conlleval_chunk_rules()
    {
        Assert.Equal([new Entity(0, "PER", 0, 1), new Entity(0, "LOC", 3, 3)], EntityMetrics.Entities(["B-PER", "I-PER", "O", "B-LOC"]));
        // an I- after O starts a chunk; a type change ends one
        Assert.Equal([new Entity(0, "ORG", 1, 2)], EntityMetrics.Entities(["O", "I-ORG", "I-ORG"]));
        Assert.Equal([new Entity(0, "PER", 0, 0), new Entity(0, "LOC", 1, 1)], EntityMetrics.Entities(["B-PER", "I-LOC"]));
    }

    [Fact]
    public void Seqeval_entity_precision_recall_f1()
    {
        string[][] truth = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG", "O"]];
        string[][] predicted = [["B-PER", "I-PER", "O", "B-PER"], ["O", "I-ORG", "B-MISC"]];
        // gold: PER 0-1, LOC 3, ORG 1 — predicted: PER 0-1 ✓, PER 3 ✗, ORG 1 ✓, MISC 2 ✗
        var s = EntityMetrics.Score(truth, predicted);
        Assert.Equal((3, 4, 2), (s.TrueEntities, s.PredictedEntities, s.Correct));
        Assert.Equal(0.5, s.Precision, 12);
        Assert.Equal(2.0 / 3, s.Recall, 12);
        Assert.Equal(2 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3), s.F1, 12);
        // a boundary error is a miss: B-PER I-PER vs B-PER B-PER
        Assert.Equal(0, EntityMetrics.Score([["B-PER", "I-PER"]], [["B-PER", "B-PER"]]).Correct);
    }

    [Fact]
    public void Squad_normalisation_drops_case_punctuation_articles_and_extra_spaces()
    {
        Assert.Equal("cat", SquadMetrics.Normalize("The Cat!"));
        Assert.Equal("cat sat on mat", SquadMetrics.Normalize("  A cat, sat on  an... mat "));
        Assert.Equal("theory", SquadMetrics.Normalize("Theory")); // only whole words are articles
        Assert.Equal(1, SquadMetrics.ExactMatch("The Cat!", "cat"));
        Assert.Equal(0, SquadMetrics.ExactMatch("black cat", "cat"));
    }

    [Fact]
    public void Squad_f1_is_the_token_overlap_and_the_maximum_over_gold_answers()
    {
        // prediction {cat, sat}, gold {cat, sat, down}: precision 1, recall 2/3
        Assert.Equal(0.8, SquadMetrics.F1("the cat sat", "a cat sat down"), 12);
        Assert.Equal(0, SquadMetrics.F1("dog", "cat"));
        var (em, f1) = SquadMetrics.Score(["Cat", "", "blue house"], [["dog", "the cat"], [], ["red house"]]);
        Assert.Equal(200.0 / 3, em, 10);          // 1 + 1 (unanswerable, predicted "") + 0
        Assert.Equal((100 + 100 + 50) / 3.0, f1, 10);
    }
}
