using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Tests;

namespace AlbertGen.Torch.Tests;

/// <summary>A bare AlbertModel checkpoint without <c>albert.pooler.*</c> (docs/decisions.md D32) on the Torch backend.</summary>
public class PoolerlessTests
{
    [TorchFact]
    public void Base_head_loads_without_pooler_and_matches_the_reference()
    {
        using var tmp = new TempDir();
        string dir = tmp.CopyFixture("tiny");
        string weights = Path.Combine(dir, "model.safetensors");
        var tensors = new List<SafeTensorsWriter.Tensor>();
        using (var f = SafeTensorsFile.Open(weights))
        {
            foreach (var e in f.Tensors)
                if (!e.Name.Contains("pooler.", StringComparison.Ordinal))
                    tensors.Add(new SafeTensorsWriter.Tensor(e.Name, e.Shape.ToArray(), f.ReadFloat32Array(e.Name)));
        }
        SafeTensorsWriter.Write(weights, tensors);
        using var model = TorchAlbertBackend.Load(dir, AlbertHead.Base, device: "cpu");
        var b = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        var output = model.Forward(new AlbertBatch(b.Rows, b.SequenceLength, b.InputIds, b.AttentionMask, b.TokenTypeIds));
        Assert.Null(output.PoolerOutput);
        using var expected = SafeTensorsFile.Open(Path.Combine(dir, "expected.safetensors"));
        double err = Fixtures.RelativeError(output.LastHiddenState!.Data, expected.ReadFloat32Array("last_hidden_state"));
        Assert.True(err <= 1e-5, $"last_hidden_state relative error {err:E3}");
        // a head that reads the pooler still needs it
        var e2 = Assert.Throws<AlbertWeightException>(() => TorchAlbertBackend.Load(dir, AlbertHead.SequenceClassification, device: "cpu").Dispose());
        Assert.Contains("albert.pooler.weight", e2.Message, StringComparison.Ordinal);
    }
}
