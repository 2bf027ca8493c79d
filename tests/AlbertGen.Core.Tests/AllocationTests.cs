using AlbertGen.Cpu;
using AlbertGen.Model;

namespace AlbertGen.Tests;

/// <summary>
/// After warm-up a forward allocates only the caller-owned output tensors (plus a few small objects). Measured on the
/// calling thread, which runs everything but the worker share of the kernels (the same job code, which allocates nothing).
/// Which thread runs which task depends on timing, so several forwards are measured: per-worker scratch made lazily by
/// whichever thread first got a task (a CI failure once) shows up as a later forward allocating.
/// </summary>
public class AllocationTests
{
    const int MeasuredForwards = 12;

    [Theory]
    [InlineData("tiny")]
    [InlineData("grouped")]
    [InlineData("multiple-choice")]
    public void Steady_state_forward_allocates_only_its_outputs(string fixture)
    {
        string dir = Fixtures.Dir(fixture);
        AssertSteadyState(dir, AlbertBatch.Load(Path.Combine(dir, "inputs.json")));
    }

    [Fact]
    public void Steady_state_int8_forward_allocates_only_its_outputs()
    {
        using var tmp = new TempDir();
        string dir = Int8ModelTests.QuantizeFixture(tmp, "grouped", out int quantized);
        Assert.True(quantized > 0);
        AssertSteadyState(dir, AlbertBatch.Load(Path.Combine(Fixtures.Dir("grouped"), "inputs.json")));
    }

    static void AssertSteadyState(string dir, AlbertBatch batch)
    {
        using var model = CpuAlbertModel.Load(dir, threads: 2);
        model.Forward(batch);
        model.Forward(batch);
        for (int i = 0; i < MeasuredForwards; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var output = model.Forward(batch);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            long outputBytes = output.Named().Sum(kv => (long)kv.Value.Length * sizeof(float));
            Assert.True(allocated <= outputBytes + 4096, $"forward {i + 3} allocated {allocated} bytes; outputs are {outputBytes} bytes");
        }
    }
}
