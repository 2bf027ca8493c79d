using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Tests;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Tests;

/// <summary>
/// loss.backward() in TorchSharp vs HF's gradients (grad.&lt;name&gt; in expected.safetensors, written by
/// albert_run.py --grads): tiny (a few parameters) and the grads-* fixtures (every parameter; shared groups with
/// inner layers, padding, sequence classification, QA). Eval mode, as the reference. ≤ 1e-4 relative.
/// </summary>
public class GradientParityTests(ITestOutputHelper log)
{
    public static TheoryData<string> Names() => new(["tiny", "grads-grouped", "grads-seqcls", "grads-qa"]);

    [TorchTheory]
    [MemberData(nameof(Names))]
    public void Gradients_match_hf_reference(string name)
    {
        string dir = Fixtures.Dir(name);
        using var expected = SafeTensorsFile.Open(Path.Combine(dir, "expected.safetensors"));
        var grads = expected.Tensors.Where(t => t.Name.StartsWith("grad.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(grads);

        using var backend = TorchAlbertBackend.Load(dir, device: "cpu");
        var parameters = TorchWeights.UniqueParameters(backend.Model).ToDictionary(p => p.Name, p => p.Parameter);
        if (name != "tiny")
            Assert.Equal(parameters.Keys.Order(StringComparer.Ordinal), grads.Select(g => g.Name["grad.".Length..]).Order(StringComparer.Ordinal));
        backend.Model.zero_grad();
        using (var batch = TorchBatch.From(AlbertBatch.Load(Path.Combine(dir, "inputs.json")), backend.Device))
        using (var output = backend.ForwardTensors(batch))
        {
            Assert.NotNull(output.Loss);
            output.Loss!.backward();
        }
        double worst = 0;
        int zeros = 0;
        foreach (var g in grads)
        {
            string param = g.Name["grad.".Length..];
            var grad = parameters[param].grad;
            Assert.True(grad is not null, $"{param} has no gradient");
            var actual = TorchAlbertOutput.ToHost(grad)!;
            Assert.Equal(g.Shape, actual.Shape);
            var want = new float[g.ElementCount];
            expected.ReadAsFloat32(g, want);
            // Analytically zero gradients (attention key bias, QA bias: softmax is shift-invariant) are rounding
            // noise of ~1e-8 in both implementations; relative error means nothing there, so they must just stay ~0.
            if (Norm(want) < 1e-6)
            {
                Assert.True(Norm(actual.Data) < 1e-6, $"{name}: grad of {param} should be ~0, norm {Norm(actual.Data):E3}");
                zeros++;
                continue;
            }
            double err = Fixtures.RelativeError(actual.Data, want);
            worst = Math.Max(worst, err);
            Assert.True(err <= 1e-4, $"{name}: grad of {param}: relative error {err:E3} > 1e-4");
        }
        log.WriteLine($"{name}: {grads.Count} gradients ({zeros} analytically zero), max relative error {worst:E3}");
    }

    static double Norm(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (var v in x) s += (double)v * v;
        return Math.Sqrt(s);
    }
}
