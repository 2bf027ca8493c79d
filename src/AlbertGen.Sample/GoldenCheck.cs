using System.Diagnostics;
using System.Globalization;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Sample.Models;

namespace AlbertGen.Sample;

/// <summary>
/// <c>AlbertGen.Sample --golden DIR</c>: the build-time-typed <see cref="TinyAlbert"/> on a golden fixture
/// (model.safetensors, inputs.json, expected.safetensors made by the HF reference): every output within 1e-5.
/// </summary>
internal static class GoldenCheck
{
    public static int Run(string dir)
    {
        Console.WriteLine($"{nameof(TinyAlbert)} from {TinyAlbert.SourceName}: {TinyAlbert.NumHiddenLayers} layers in {TinyAlbert.NumHiddenGroups} group(s), " +
            $"H={TinyAlbert.HiddenSize}, E={TinyAlbert.EmbeddingSize}, V={TinyAlbert.VocabSize}, heads={TinyAlbert.NumAttentionHeads}×{TinyAlbert.HeadSize}, " +
            $"act={TinyAlbert.HiddenAct}, {TinyAlbert.WeightSpecs(TinyAlbert.DefaultHead).Count} tensors");
        var sw = Stopwatch.StartNew();
        using var model = TinyAlbert.Load(dir);
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        var result = model.ForPreTraining(batch);
        Console.WriteLine($"load + forward {sw.Elapsed.TotalMilliseconds:F1} ms; sentence order of row 0: " +
            (result.SopLogits.Data[1] > result.SopLogits.Data[0] ? "swapped" : "in order"));

        using var golden = SafeTensorsFile.Open(Path.Combine(dir, "expected.safetensors"));
        double worst = 0;
        foreach (var (name, tensor) in result.Raw.Named())
        {
            if (golden.Contains(name))
                worst = Math.Max(worst, TensorCompare.RelativeError(tensor.Data, golden.ReadFloat32Array(name)));
        }
        bool ok = worst <= 1e-5;
        Console.WriteLine($"golden check vs expected.safetensors: worst relative error {worst.ToString("E2", CultureInfo.InvariantCulture)} ({(ok ? "ok" : "FAILED")})");
        return ok ? 0 : 1;
    }
}
