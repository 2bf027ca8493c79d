using AlbertGen.Config;
using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>
/// An activation over a finished GEMM output (m rows × n columns, row stride ldc), in place, as its own parallel pass
/// after the GEMM (D47): chunks of whole rows, each one contiguous span when the rows are packed (ldc = n). Measured
/// against activating each GEMM task's slice of C while it is still in L2 (D38), on the FFN-in GEMM of a
/// MiniLM-shaped layer, in one process, alternating: 5–6 % less time for GEMM + GELU at 1 × 16, 1 × 128 and 8 × 128;
/// per-row calls over short slices and the erf's constants reloaded per call cost more than re-reading C.
/// </summary>
internal sealed unsafe class ActivationJob : IParallelJob
{
    /// <summary>Below this many elements one task runs it (a hand-off costs more).</summary>
    const int SmallElements = 16 * 1024;

    float* _c;
    int _m, _n, _ldc, _rowsPerTask;
    ActivationKind _activation;

    public void Run(ParallelRunner runner, float* c, int m, int n, int ldc, ActivationKind activation)
    {
        if (activation == ActivationKind.Linear || m <= 0 || n <= 0) return;
        _c = c; _m = m; _n = n; _ldc = ldc; _activation = activation;
        int tasks = (long)m * n < SmallElements ? 1 : Math.Min(m, 4 * runner.Threads);
        _rowsPerTask = (m + tasks - 1) / tasks;
        runner.For((m + _rowsPerTask - 1) / _rowsPerTask, this);
    }

    public void Execute(int index, int worker)
    {
        int r0 = index * _rowsPerTask, r1 = Math.Min(_m, r0 + _rowsPerTask);
        if (_ldc == _n)
        {
            ActivationKernels.Apply(_activation, new Span<float>(_c + (long)r0 * _ldc, checked((r1 - r0) * _n)));
            return;
        }
        for (int r = r0; r < r1; r++)
            ActivationKernels.Apply(_activation, new Span<float>(_c + (long)r * _ldc, _n));
    }
}
