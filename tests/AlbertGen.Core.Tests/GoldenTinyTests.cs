using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;

namespace AlbertGen.Tests;

/// <summary>The shared HF-reference fixture: AlbertForPreTraining with padding, labels and sentence-order labels.</summary>
public class GoldenTinyTests
{
    [Fact]
    public void Pretraining_forward_and_losses_match_hf_within_1e5()
    {
        string dir = Fixtures.Dir("tiny");
        using var model = CpuAlbertModel.Load(dir);
        var output = model.Forward(AlbertBatch.Load(Path.Combine(dir, "inputs.json")));
        Fixtures.AssertMatches(output, Path.Combine(dir, "expected.safetensors"));
    }

    [Fact]
    public void Engine_over_an_open_checkpoint_matches_hf_and_owns_the_one_mapping()
    {
        // what a generated model's Load does: one mapping, packed by the engine and read through its Weights
        string dir = Fixtures.Dir("tiny");
        var config = AlbertConfig.Load(dir);
        var checkpoint = AlbertCheckpoint.Open(config, Path.Combine(dir, "model.safetensors"), config.DefaultHead);
        var model = CpuAlbertModel.Load(checkpoint);
        Assert.Equal(config.DefaultHead, model.Head);
        Fixtures.AssertMatches(model.Forward(AlbertBatch.Load(Path.Combine(dir, "inputs.json"))), Path.Combine(dir, "expected.safetensors"));
        Assert.Equal(32 * 32, checkpoint.Get("albert.pooler.weight").Span.Length); // packed and evicted, still readable
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => checkpoint.Get("albert.pooler.weight").Span.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Thread_count_does_not_change_results(int threads)
    {
        string dir = Fixtures.Dir("tiny");
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        using var single = CpuAlbertModel.Load(dir, threads: 1);
        using var multi = CpuAlbertModel.Load(dir, threads: threads);
        var a = single.Forward(batch);
        var b = multi.Forward(batch);
        Assert.Equal(a.LastHiddenState!.Data, b.LastHiddenState!.Data);
        Assert.Equal(a.PredictionLogits!.Data, b.PredictionLogits!.Data);
    }

    [Fact]
    public void Repeated_forwards_with_different_shapes_reuse_the_workspace_correctly()
    {
        string dir = Fixtures.Dir("tiny");
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        using var model = CpuAlbertModel.Load(dir);
        var small = new AlbertBatch(1, 4, [2, 10, 11, 3]);
        var first = model.Forward(batch).LastHiddenState!.Data;
        var s1 = model.Forward(small).LastHiddenState!.Data;
        var second = model.Forward(batch).LastHiddenState!.Data;
        using var fresh = CpuAlbertModel.Load(dir);
        var s2 = fresh.Forward(small).LastHiddenState!.Data;
        Assert.Equal(first, second);
        Assert.Equal(s2, s1);
    }
}
