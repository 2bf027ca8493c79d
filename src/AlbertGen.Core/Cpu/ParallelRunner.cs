using System.Diagnostics;

namespace AlbertGen.Cpu;

/// <summary>
/// A fixed pool of <c>threads − 1</c> background workers plus the calling thread. <see cref="For"/> hands out task
/// indices through one atomic counter (dynamic scheduling, so uneven tasks such as attention over different
/// sequence lengths balance themselves) and returns when every task has run. A forward is a chain of ~7 such
/// rounds per layer with little work in between, so the hand-off is built for latency: <see cref="For"/> publishes a
/// round by bumping a generation counter that idle workers spin on for up to <see cref="SpinTicks"/> (100 µs), and
/// waits for the workers' completion count by spinning; a worker that has waited longer parks on a monitor and is
/// pulsed. Not reentrant: one <see cref="For"/> at a time (the model serialises forwards).
/// </summary>
internal sealed class ParallelRunner : IDisposable
{
    /// <summary>How long an idle worker spins for the next round before it parks (100 µs): longer than the gap
    /// between two kernels of one forward, short enough that an idle model does not hold a core.</summary>
    static readonly long SpinTicks = Stopwatch.Frequency / 10_000;

    readonly Thread[] _workers;
    readonly object _parkGate = new();
    IParallelJob? _job;
    int _next;
    int _count;
    int _generation;     // bumped once per round; workers run a round when it moves past the one they last saw
    int _pending;        // workers that have not finished the current round
    int _parked;         // workers blocked in Monitor.Wait on _parkGate
    volatile bool _disposed;
    Exception? _failure;

    public ParallelRunner(int threads)
    {
        if (threads < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread is needed");
        Threads = threads;
        _workers = new Thread[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int worker = i + 1;
            _workers[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"albertgen-cpu-{worker}" };
            _workers[i].Start();
        }
    }

    /// <summary>Threads that run tasks, the caller included.</summary>
    public int Threads { get; }

    /// <summary>Runs tasks 0 … <paramref name="count"/>−1 of <paramref name="job"/> and waits for all of them.</summary>
    public void For(int count, IParallelJob job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count <= 0) return;
        if (count == 1 || _workers.Length == 0)
        {
            for (int i = 0; i < count; i++) job.Execute(i, 0);
            return;
        }
        _job = job;
        _count = count;
        _failure = null;
        Volatile.Write(ref _next, 0);
        Volatile.Write(ref _pending, _workers.Length);
        Interlocked.Increment(ref _generation); // full fence: publishes the round before _parked is read
        WakeParked();
        try
        {
            Work(0);
        }
        finally
        {
            // the workers are running this round on the other cores: spin (SpinWait yields now and then, never sleeps)
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0)
                spin.SpinOnce(sleep1Threshold: -1);
            _job = null;
        }
        if (_failure is not null)
            throw new AggregateException("a parallel task failed", _failure);
    }

    void WakeParked()
    {
        if (Volatile.Read(ref _parked) == 0) return;
        lock (_parkGate) Monitor.PulseAll(_parkGate);
    }

    void Work(int worker)
    {
        var job = _job!;
        int i;
        while ((i = Interlocked.Increment(ref _next) - 1) < _count)
            job.Execute(i, worker);
    }

    void WorkerLoop(int worker)
    {
        int seen = 0;
        while (true)
        {
            WaitForRound(seen);
            seen = Volatile.Read(ref _generation);
            if (_disposed) return;
            try
            {
                Work(worker);
            }
            catch (Exception e)
            {
                _failure = e;
                Volatile.Write(ref _next, int.MaxValue / 2);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    /// <summary>Returns once the generation has moved past <paramref name="seen"/> (or the runner is disposed).</summary>
    void WaitForRound(int seen)
    {
        long start = Stopwatch.GetTimestamp();
        // SpinWait pauses a few times, then yields the core on every call: with more threads than cores the worker
        // that has work gets to run (a plain pause loop here made --threads 3 on two cores 30% slower)
        var spin = new SpinWait();
        while (Volatile.Read(ref _generation) == seen && !_disposed)
        {
            if (spin.Count < 64 || Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }
            lock (_parkGate)
            {
                // full fence before re-reading the generation: For bumps it before it reads _parked
                Interlocked.Increment(ref _parked);
                while (Volatile.Read(ref _generation) == seen && !_disposed)
                    Monitor.Wait(_parkGate);
                Interlocked.Decrement(ref _parked);
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Interlocked.Increment(ref _generation);
        lock (_parkGate) Monitor.PulseAll(_parkGate);
        foreach (var t in _workers) t.Join();
    }
}
