using AlbertGen.Cpu;
using AlbertGen.Model;

namespace AlbertGen.Tests;

/// <summary>
/// After warm-up a forward allocates only the caller-owned output tensors (plus a few small objects). Measured on the
/// calling thread, which runs everything but the worker share of the kernels (the same job code, which allocates nothing).
/// </summary>
public class AllocationTests
{
    [Theory]
    [InlineData("tiny")]
    [InlineData("grouped")]
    [InlineData("multiple-choice")]
    public void Steady_state_forward_allocates_only_its_outputs(string fixture)
    {
        string dir = Fixtures.Dir(fixture);
        using var model = CpuAlbertModel.Load(dir, threads: 2);
        var batch = AlbertBatch.Load(Path.Combine(dir, "inputs.json"));
        model.Forward(batch);
        model.Forward(batch);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var output = model.Forward(batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long outputBytes = output.Named().Sum(kv => (long)kv.Value.Length * sizeof(float));
        Assert.True(allocated <= outputBytes + 4096, $"forward allocated {allocated} bytes; outputs are {outputBytes} bytes");
    }
}
