using AlbertGen.Config;
using AlbertGen.Rules;

namespace AlbertGen.Tests;

/// <summary>The head choices both backends share: problem_type names (the rules' table) and HF's loss inference.</summary>
public class HeadSelectionTests
{
    [Fact]
    public void Problem_types_follow_the_rules_table_in_enum_order()
    {
        var all = Enum.GetValues<ProblemType>();
        Assert.Equal(ConfigRules.ProblemTypes, all.Select(p => p.HfName()));
        foreach (var p in all)
        {
            Assert.True(HeadSelection.TryParseProblemType(p.HfName(), out var parsed));
            Assert.Equal(p, parsed);
        }
        Assert.False(HeadSelection.TryParseProblemType("multi_label", out _));
        Assert.False(HeadSelection.TryParseProblemType(null, out _));
    }

    [Theory]
    [InlineData(null, 1, true, ProblemType.Regression)]
    [InlineData(null, 3, true, ProblemType.SingleLabelClassification)]
    [InlineData(null, 3, false, ProblemType.MultiLabelClassification)]
    [InlineData("multi_label_classification", 3, true, ProblemType.MultiLabelClassification)]
    [InlineData("regression", 3, true, ProblemType.Regression)]
    public void Sequence_classification_loss_is_chosen_as_HF_does(string? problemType, int labels, bool integerLabels, ProblemType expected)
    {
        var config = new AlbertConfig { ProblemType = problemType, Id2Label = [.. Enumerable.Range(0, labels).Select(i => $"LABEL_{i}")] };
        Assert.Equal(expected, HeadSelection.SequenceClassificationProblem(config, integerLabels));
    }
}
