using AlbertGen.Config;
using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>
/// C = act(A · Bᵀ + bias [+ residual]) on the worker pool, in phases: A is packed once into MR-row tiles
/// (tasks over row ranges), then (row block × panel chunk) tasks run the micro-kernel from that shared copy, then
/// the activation, if any, runs as its own pass over C (<see cref="ActivationJob"/>, D47). Row blocks are ≤
/// <see cref="MaxRowBlock"/> rows so a block of packed A stays in L2 while the panels of its chunk stream past.
/// </summary>
internal sealed unsafe class GemmJob : IParallelJob
{
    public const int MaxRowBlock = 192;

    float* _a, _c, _bias, _residual, _packedA;
    int _lda, _m, _ldc, _ldr;
    PackedMatrix? _b;
    int _rowBlock, _panelChunk, _panelChunks;
    bool _packing;
    int _packRows;
    float[] _packBuffer = [];
    int _packOffset;
    readonly ActivationJob _activationJob = new();

    /// <summary>Runs the GEMM on <paramref name="runner"/>. Pointers must stay valid (pinned) for the call.</summary>
    public void Run(ParallelRunner runner, float* a, int lda, int m, PackedMatrix b, float* c, int ldc,
        float* bias, float* residual = null, int ldr = 0, ActivationKind activation = ActivationKind.Linear)
    {
        if (m <= 0) return;
        _a = a; _lda = lda; _m = m; _b = b; _c = c; _ldc = ldc; _bias = bias; _residual = residual; _ldr = ldr;
        // tiny problems are not worth a thread hand-off
        var part = GemmPartition.For(m, b.N, b.K, b.Panels, runner.Threads, tinyWork: 64 * 1024);
        _rowBlock = part.RowBlock; _panelChunk = part.PanelChunk; _panelChunks = part.PanelChunks; _packRows = part.PackRows;

        long packed = Gemm.PackedALength(m, b.K);
        if (_packBuffer.Length - _packOffset < packed)
            _packBuffer = AlignedFloats.Allocate(checked((int)packed), out _packOffset);
        fixed (float* buffer = _packBuffer)
        {
            _packedA = buffer + _packOffset;
            // phase 1: pack A once (row tiles split across workers; one task for short inputs)
            _packing = true;
            runner.For(part.PackTasks, this);
            // phase 2: the micro-kernel over (row block × panel chunk)
            _packing = false;
            runner.For(part.Tasks, this);
        }
        _activationJob.Run(runner, c, m, b.N, ldc, activation);
        _b = null;
    }

    public void Execute(int index, int worker)
    {
        var b = _b!;
        if (_packing)
        {
            int r0 = index * _packRows;
            Gemm.PackRows(_a, _lda, _m, b.K, _packedA, r0, Math.Min(_m, r0 + _packRows));
            return;
        }
        int rb = index / _panelChunks, pc = index % _panelChunks;
        int row0 = rb * _rowBlock, row1 = Math.Min(_m, row0 + _rowBlock);
        int p0 = pc * _panelChunk, p1 = Math.Min(b.Panels, p0 + _panelChunk);
        fixed (float* pb = b.Data)
            Gemm.RunPacked(_packedA, _m, pb, b.N, b.K, _c, _ldc, row0, row1, p0, p1, _bias, _residual, _ldr);
    }
}
