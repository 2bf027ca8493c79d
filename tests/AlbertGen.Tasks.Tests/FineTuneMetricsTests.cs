using AlbertGen.Tasks.FineTuning;
using Xunit;

namespace AlbertGen.Tasks.Tests;

public class FineTuneMetricsTests
{
    [Fact]
    public void Accuracy_macro_f1_and_matthews_from_a_confusion_matrix()
    {
        // truth × predicted: TN 5, FP 1, FN 2, TP 4
        var m = ClassificationMetrics.Score(new long[,] { { 5, 1 }, { 2, 4 } }, 12);
        Assert.Equal(0.75, m.Accuracy, 10);
        Assert.Equal((50.0 / 65 + 8.0 / 11) / 2, m.MacroF1, 10); // class 0: p 5/7 r 5/6; class 1: p 4/5 r 4/6
        Assert.Equal(18 / Math.Sqrt(5.0 * 6 * 6 * 7), m.Matthews, 10); // (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN))
    }

    [Fact]
    public void A_constant_predictor_has_zero_matthews()
    {
        var m = ClassificationMetrics.Score(new long[,] { { 0, 6 }, { 0, 6 } }, 12);
        Assert.Equal(0.5, m.Accuracy, 10);
        Assert.Equal(0, m.Matthews, 10);
    }
}
