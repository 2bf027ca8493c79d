namespace AlbertGen.Cpu;

/// <summary>
/// A fixed pool of <c>threads − 1</c> background workers plus the calling thread. <see cref="For"/> hands out task
/// indices through one atomic counter (dynamic scheduling, so uneven tasks such as attention over different
/// sequence lengths balance themselves) and returns when every task has run. Workers park on a
/// <see cref="ManualResetEventSlim"/> (which spins briefly before blocking), so back-to-back kernels do not pay a
/// kernel transition. Not reentrant: one <see cref="For"/> at a time (the model serialises forwards).
/// </summary>
internal sealed class ParallelRunner : IDisposable
{
    readonly Thread[] _workers;
    readonly ManualResetEventSlim[] _go;
    readonly CountdownEvent _done;
    IParallelJob? _job;
    int _next;
    int _count;
    volatile bool _disposed;
    Exception? _failure;

    public ParallelRunner(int threads)
    {
        if (threads < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread is needed");
        Threads = threads;
        _workers = new Thread[threads - 1];
        _go = new ManualResetEventSlim[threads - 1];
        _done = new CountdownEvent(1);
        for (int i = 0; i < _workers.Length; i++)
        {
            _go[i] = new ManualResetEventSlim(false, spinCount: 2000);
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
        _done.Reset(_workers.Length);
        foreach (var go in _go) go.Set();
        try
        {
            Work(0);
        }
        finally
        {
            _done.Wait();
            _job = null;
        }
        if (_failure is not null)
            throw new AggregateException("a parallel task failed", _failure);
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
        var go = _go[worker - 1];
        while (true)
        {
            go.Wait();
            go.Reset();
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
                _done.Signal();
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var go in _go) go.Set();
        foreach (var t in _workers) t.Join();
        foreach (var go in _go) go.Dispose();
        _done.Dispose();
    }
}
