using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Generators.Tests.Generated;
using AlbertGen.Model;
using AlbertGen.Quantization;

namespace AlbertGen.Generators.Tests;

/// <summary>A generated class loads an int8 folder (albertgen quantize's format) and computes what the CPU engine computes.</summary>
public sealed class Int8CompileAndRunTests : IDisposable
{
    readonly string _tmp = Path.Combine(Path.GetTempPath(), "albertgen-gen-int8-" + Guid.NewGuid().ToString("N"));

    public Int8CompileAndRunTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        try { Directory.Delete(_tmp, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Generated_class_runs_an_int8_checkpoint_like_the_engine()
    {
        string dir = Fixtures.Dir("tiny");
        var config = AlbertConfig.Load(dir);
        string weights = Path.Combine(_tmp, "model.safetensors");
        using (var ckpt = AlbertCheckpoint.Open(config, Path.Combine(dir, "model.safetensors"), config.DefaultHead))
            Assert.Equal(8, Int8Quantizer.Write(ckpt, weights));
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        using var model = TinyModel.Load(weights);
        using var engine = CpuAlbertModel.Load(config, weights, AlbertHead.PreTraining);
        using var fp32 = CpuAlbertModel.Load(dir);
        var typed = model.ForPreTraining(batch);
        var reference = engine.Forward(batch);
        Assert.Equal(reference.LastHiddenState!.Data, typed.LastHiddenState.Data);
        Assert.Equal(reference.PredictionLogits!.Data, typed.PredictionLogits.Data);
        Assert.NotEqual(fp32.Forward(batch).LastHiddenState!.Data, typed.LastHiddenState.Data); // int8 really ran
        // an int8 weight is not served as floats by the typed weight set
        Assert.Throws<InvalidOperationException>(() => model.Weights.AlbertEncoderAlbertLayerGroups0AlbertLayers0FfnWeight);
    }
}
