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
