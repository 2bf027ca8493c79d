using AlbertGen.Tests;
using AlbertGen.Torch.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Tests;

/// <summary>Optimisers against steps computed by hand (in double precision) on small tensors.</summary>
public class OptimizerTests
{
    static Parameter Param(float[] w, float[] g)
    {
        var p = new Parameter(tensor(w));
        p.grad = tensor(g);
        return p;
    }

    static float[] Values(Tensor t) => t.detach().data<float>().ToArray();

    static void Close(double[] expected, float[] actual, double tol = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>ALBERT's LAMB by hand: no bias correction, decay and trust ratio only for non-excluded names.</summary>
    static double[] LambByHand(double[] w, double[] g, double[] m, double[] v, double lr, bool excluded)
    {
        const double b1 = 0.9, b2 = 0.999, eps = 1e-6, wd = 0.01;
        int n = w.Length;
        var u = new double[n];
        for (int i = 0; i < n; i++)
        {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            u[i] = m[i] / (Math.Sqrt(v[i]) + eps) + (excluded ? 0 : wd * w[i]);
        }
        double ratio = 1;
        if (!excluded)
        {
            double wn = Math.Sqrt(w.Sum(x => x * x)), un = Math.Sqrt(u.Sum(x => x * x));
            ratio = wn > 0 && un > 0 ? wn / un : 1;
        }
        return w.Select((x, i) => x - ratio * lr * u[i]).ToArray();
    }

    [TorchFact]
    public void Lamb_matches_a_hand_computed_step_with_trust_ratio_and_exclusions()
    {
        double[] w0 = [1.0, -2.0, 0.5], g0 = [0.5, -1.0, 0.25];
        double[] b0 = [0.1, 0.2, -0.3], gb = [1.0, -0.5, 2.0];
        double[] ln0 = [1.0, 1.0, 1.0], gln = [0.3, -0.1, 0.2];
        using var w = Param(w0.Select(x => (float)x).ToArray(), g0.Select(x => (float)x).ToArray());
        using var b = Param(b0.Select(x => (float)x).ToArray(), gb.Select(x => (float)x).ToArray());
        using var ln = Param(ln0.Select(x => (float)x).ToArray(), gln.Select(x => (float)x).ToArray());
        using var opt = new LambOptimizer([("attention.dense.weight", w), ("attention.dense.bias", b), ("full_layer_layer_norm.weight", ln)], new AlbertOptimizerOptions());

        double[] mw = new double[3], vw = new double[3], mb = new double[3], vb = new double[3], ml = new double[3], vl = new double[3];
        double lr = 0.01;
        var ew = LambByHand(w0, g0, mw, vw, lr, excluded: false);
        var eb = LambByHand(b0, gb, mb, vb, lr, excluded: true);
        var el = LambByHand(ln0, gln, ml, vl, lr, excluded: true);
        opt.Step(lr);
        Close(ew, Values(w));
        Close(eb, Values(b));
        Close(el, Values(ln));

        // second step with the same gradients: moments accumulate, still no bias correction
        ew = LambByHand(ew, g0, mw, vw, lr, excluded: false);
        eb = LambByHand(eb, gb, mb, vb, lr, excluded: true);
        opt.Step(lr);
        Close(ew, Values(w));
        Close(eb, Values(b));
        Assert.Equal(2, opt.StepCount);
    }

    [TorchFact]
    public void Lamb_trust_ratio_is_one_for_a_zero_weight()
    {
        using var w = Param([0f, 0f], [1f, -1f]);
        using var opt = new LambOptimizer([("dense.weight", w)], new AlbertOptimizerOptions());
        opt.Step(0.1);
        // update = m/(√v+ε) = 0.1/(√0.001+1e-6) per element, ratio 1
        double u = 0.1 / (Math.Sqrt(0.001) + 1e-6);
        Close([-0.1 * u, 0.1 * u], Values(w));
    }

    [TorchFact]
    public void Exclusions_follow_albert_names()
    {
        Assert.True(AlbertOptimizer.IsExcludedFromDecay("albert.embeddings.LayerNorm.weight"));
        Assert.True(AlbertOptimizer.IsExcludedFromDecay("albert.encoder.albert_layer_groups.0.albert_layers.0.full_layer_layer_norm.weight"));
        Assert.True(AlbertOptimizer.IsExcludedFromDecay("predictions.bias"));
        Assert.True(AlbertOptimizer.IsExcludedFromDecay("albert.pooler.bias"));
        Assert.False(AlbertOptimizer.IsExcludedFromDecay("albert.embeddings.word_embeddings.weight"));
        Assert.False(AlbertOptimizer.IsExcludedFromDecay("sop_classifier.classifier.weight"));
    }

    [TorchFact]
    public void AdamW_matches_a_hand_computed_step()
    {
        double[] w0 = [1.0, -2.0], g0 = [0.5, -0.25];
        using var w = Param([1f, -2f], [0.5f, -0.25f]);
        using var b = Param([1f, -2f], [0.5f, -0.25f]);
        using var opt = new AdamWOptimizer([("ffn.weight", w), ("ffn.bias", b)], new AlbertOptimizerOptions());
        double lr = 0.1;
        opt.Step(lr);
        // step 1: m̂ = g, v̂ = g², update = g/(|g| + ε)
        double[] Expected(bool decay) => w0.Select((x, i) => x * (decay ? 1 - lr * 0.01 : 1) - lr * g0[i] / (Math.Abs(g0[i]) + 1e-6)).ToArray();
        Close(Expected(true), Values(w));
        Close(Expected(false), Values(b));
    }

    [TorchFact]
    public void Sgd_is_w_minus_lr_g()
    {
        using var w = Param([1f, 2f], [0.5f, -1f]);
        using var opt = new SgdOptimizer([("LayerNorm.weight", w)]);
        opt.Step(0.5);
        Close([0.75, 2.5], Values(w));
    }

    [TorchFact]
    public void Global_norm_clipping_scales_all_gradients_and_zero_disables()
    {
        using var a = Param([0f], [3f]);
        using var b = Param([0f, 0f], [0f, 4f]);
        Assert.Equal(5.0, GradientClipping.ClipByGlobalNorm([a, b], 0), 6);
        Close([3], Values(a.grad!));
        Assert.Equal(5.0, GradientClipping.ClipByGlobalNorm([a, b], 10), 6);
        Close([3], Values(a.grad!));
        Assert.Equal(5.0, GradientClipping.ClipByGlobalNorm([a, b], 1), 6);
        Close([0.6], Values(a.grad!));
        Close([0, 0.8], Values(b.grad!));
    }

    [Fact]
    public void Linear_schedule_warms_up_then_decays()
    {
        var none = new LinearSchedule(1e-3, 0, 100);
        Assert.Equal(1e-3, none.At(0), 12);
        Assert.Equal(0.5e-3, none.At(50), 12);
        Assert.Equal(0.0, none.At(100), 12);
        var warm = new LinearSchedule(1.0, 10, 110);
        Assert.Equal(0.0, warm.At(0), 12);
        Assert.Equal(0.5, warm.At(5), 12);
        Assert.Equal(1.0, warm.At(10), 12);
        Assert.Equal(0.5, warm.At(60), 12);
        Assert.Equal(0.0, warm.At(200), 12);
    }

    [TorchFact]
    public void Optimizer_state_round_trips_for_resume()
    {
        using var tmp = new TempDir();
        using var w1 = Param([1f, -2f, 3f], [0.5f, -1f, 0.1f]);
        using var w2 = Param([1f, -2f, 3f], [0.5f, -1f, 0.1f]);
        using var a = new LambOptimizer([("dense.weight", w1)], new AlbertOptimizerOptions());
        using var b = new LambOptimizer([("dense.weight", w2)], new AlbertOptimizerOptions());
        a.Step(0.01);
        b.Step(0.01);
        a.SaveState(tmp.File("opt.safetensors"));
        using var w3 = Param(Values(w1), [0.5f, -1f, 0.1f]);
        using var c = new LambOptimizer([("dense.weight", w3)], new AlbertOptimizerOptions());
        c.LoadState(tmp.File("opt.safetensors"));
        Assert.Equal(1, c.StepCount);
        b.Step(0.01);
        c.Step(0.01);
        Assert.Equal(Values(w2), Values(w3));
    }
}
