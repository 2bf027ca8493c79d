using AlbertGen.Tasks;

namespace AlbertGen.Tasks.Tests;

public class TaskMathTests
{
    [Fact]
    public void ArgMax_takes_the_largest_and_the_first_on_ties()
    {
        Assert.Equal(2, TaskMath.ArgMax([0.1f, -3f, 4f, 1f]));
        Assert.Equal(1, TaskMath.ArgMax([0f, 2f, 2f]));
        Assert.Equal(0, TaskMath.ArgMax([5f]));
    }

    [Fact]
    public void TopK_orders_by_probability_and_probabilities_are_the_softmax()
    {
        float[] logits = [0f, 2f, 1f, 2f, -1f];
        var top = TaskMath.TopK(logits, 3);
        Assert.Equal([1, 3, 2], top.Select(t => t.TokenId));
        double z = Math.Exp(0) + 2 * Math.Exp(2) + Math.Exp(1) + Math.Exp(-1);
        Assert.Equal(Math.Exp(2) / z, top[0].Score, 6);
        Assert.Equal(Math.Exp(1) / z, top[2].Score, 6);
        Assert.Equal(5, TaskMath.TopK(logits, 50).Length);
    }

    [Fact]
    public void Class_scores_use_softmax_for_single_label_and_sigmoid_for_multi_label()
    {
        var single = TaskMath.ClassScores([1f, 3f], ["negative", "positive"], null);
        Assert.Equal("positive", single[0].Label);
        Assert.Equal(1 / (1 + Math.Exp(-2)), single[0].Score, 6);
        var multi = TaskMath.ClassScores([0f, 2f], ["a", "b"], "multi_label_classification");
        Assert.Equal(1 / (1 + Math.Exp(-2)), multi[0].Score, 6);
        Assert.Equal(0.5, multi[1].Score, 6);
    }

    [Fact]
    public void Mean_pool_ignores_padding()
    {
        float[] hidden = [1, 2, 3, 4, 100, 100];
        Assert.Equal([2f, 3f], TaskMath.MeanPool(hidden, 3, 2, [1, 1, 0]));
    }

    [Fact]
    public void Best_span_respects_order_length_and_allowed_positions()
    {
        float[] start = [9f, 0f, 5f, 0f, 1f];
        float[] end = [9f, 6f, 0f, 0f, 3f];
        bool[] allowed = [false, true, true, true, true];
        // position 0 is excluded although it has the largest logits; the best end (1) precedes the best start (2):
        // p_s over 1..4 ∝ (1, e⁵, 1, e), p_e ∝ (e⁶, 1, 1, e³) → (2, 4) scores 0.0457, (1, 1) scores 0.0062
        var span = TaskMath.BestSpan(start, end, allowed);
        Assert.Equal((2, 4), (span.Start, span.End));
        double ps2 = Math.Exp(5) / (2 + Math.Exp(5) + Math.E), pe4 = Math.Exp(3) / (Math.Exp(6) + 2 + Math.Exp(3));
        Assert.Equal(ps2 * pe4, span.Score, 6);
        var limited = TaskMath.BestSpan(start, end, allowed, maxAnswerLength: 1);
        Assert.Equal((1, 1), (limited.Start, limited.End));
    }
}
