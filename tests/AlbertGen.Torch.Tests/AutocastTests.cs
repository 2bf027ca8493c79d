using AlbertGen.Model;
using AlbertGen.Tests;
using AlbertGen.Torch.Modules;
using AlbertGen.Torch.Training;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Tests;

/// <summary>bf16 mixed precision (<see cref="Autocast"/>, <c>--precision bf16</c>), checked on the CPU against float32.</summary>
public class AutocastTests
{
    [TorchFact]
    public void Bf16_forward_is_close_to_fp32_but_not_identical()
    {
        string dir = Fixtures.Dir("tiny");
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        using var model = TorchAlbertBackend.Load(dir, device: "cpu");
        var fp32 = model.Forward(batch);
        model.ComputeType = ScalarType.BFloat16;
        var bf16 = model.Forward(batch);
        double err = Fixtures.RelativeError(bf16.LastHiddenState!.Data, fp32.LastHiddenState!.Data);
        double logitsErr = Fixtures.RelativeError(bf16.PredictionLogits!.Data, fp32.PredictionLogits!.Data);
        // bfloat16 keeps 8 significant bits (relative rounding 2^-9 ≈ 2e-3 per operand)
        Assert.InRange(err, 1e-5, 3e-2);
        Assert.InRange(logitsErr, 1e-5, 3e-2);
        Assert.Null(Autocast.Current); // the scope ended with the forward
    }

    [TorchFact]
    public void Bf16_training_keeps_float32_weights_and_lowers_the_loss()
    {
        string dir = Fixtures.Dir("tiny");
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        using var model = TorchAlbertBackend.Load(dir, device: "cpu");
        model.ComputeType = ScalarType.BFloat16;
        model.Model.train();
        var parameters = TorchWeights.UniqueParameters(model.Model);
        using var optimizer = AlbertOptimizer.Create(OptimizerKind.AdamW, parameters);
        var losses = new List<float>();
        for (int step = 0; step < 8; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            using var tb = TorchBatch.From(batch, model.Device);
            using var output = model.ForwardTensors(tb);
            output.Loss!.backward();
            optimizer.Step(1e-3);
            losses.Add(output.Loss.item<float>());
        }
        Assert.All(parameters, p => Assert.Equal(ScalarType.Float32, p.Parameter.dtype));
        Assert.All(parameters, p => Assert.True(p.Parameter.grad is null || p.Parameter.grad.dtype == ScalarType.Float32, p.Name));
        Assert.True(losses[^1] < 0.9 * losses[0], $"loss {losses[0]} → {losses[^1]}");
    }

    [Theory]
    [InlineData("fp32", null)]
    [InlineData("BF16", ScalarType.BFloat16)]
    public void Precision_names_parse(string name, ScalarType? expected) => Assert.Equal(expected, TorchRuntime.ParsePrecision(name));

    [Fact]
    public void Unknown_precision_is_rejected_by_name() =>
        Assert.Contains("fp16", Assert.Throws<ArgumentException>(() => TorchRuntime.ParsePrecision("fp16")).Message);
}
