using AlbertGen.Cpu;

namespace AlbertGen.Tests;

public class ParallelRunnerTests
{
    sealed class CountingJob(int n) : IParallelJob
    {
        public readonly int[] Hits = new int[n];
        public void Execute(int index, int worker) => Interlocked.Increment(ref Hits[index]);
    }

    sealed class FailingJob : IParallelJob
    {
        public void Execute(int index, int worker)
        {
            if (index == 3) throw new InvalidOperationException("boom");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Every_task_runs_exactly_once_over_many_rounds(int threads)
    {
        using var runner = new ParallelRunner(threads);
        for (int round = 0; round < 500; round++)
        {
            int n = round % 37 + 1;
            var job = new CountingJob(n);
            runner.For(n, job);
            Assert.All(job.Hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void Rounds_after_the_workers_have_parked_still_run_every_task()
    {
        // 5 ms between rounds is far past the workers' spin window: each round has to wake a parked worker
        using var runner = new ParallelRunner(3);
        for (int round = 0; round < 20; round++)
        {
            Thread.Sleep(5);
            var job = new CountingJob(64);
            runner.For(64, job);
            Assert.All(job.Hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void A_failing_task_surfaces_and_the_runner_stays_usable()
    {
        using var runner = new ParallelRunner(2);
        Assert.ThrowsAny<Exception>(() => runner.For(50, new FailingJob()));
        var job = new CountingJob(10);
        runner.For(10, job);
        Assert.All(job.Hits, h => Assert.Equal(1, h));
    }
}
