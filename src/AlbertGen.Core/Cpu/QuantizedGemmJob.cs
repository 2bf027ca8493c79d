using AlbertGen.Config;
using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>
/// The int8 twin of <see cref="GemmJob"/>: C = act(dequant(quant(A) · Bᵀ) + bias [+ residual]) with B a
/// <see cref="QuantizedMatrix"/>, on the worker pool in two phases: A is quantized per row and packed once
/// (<see cref="GemmInt8.QuantizeRows"/>: scales, zero points, byte quads; tasks over row tiles), then (row block × panel chunk) tasks run the kernel,
/// then the activation, if any, runs as its own pass (<see cref="ActivationJob"/>, D47).
/// </summary>
internal sealed unsafe class QuantizedGemmJob : IParallelJob
{
    float* _a, _c, _bias, _residual, _rowScales;
    int* _packedA, _rowZeroPoints;
    int _lda, _m, _ldc, _ldr;
    QuantizedMatrix? _b;
    readonly ActivationJob _activationJob = new();
    int _rowBlock, _panelChunk, _panelChunks;
    bool _packing;
    int _packRows;
    int[] _packBuffer = [];
    float[] _scaleBuffer = [];
    int[] _zeroPointBuffer = [];
    byte[][] _rowBuffers = [];

    /// <summary>Runs the GEMM on <paramref name="runner"/>. Pointers must stay valid (pinned) for the call.</summary>
    public void Run(ParallelRunner runner, float* a, int lda, int m, QuantizedMatrix b, float* c, int ldc,
        float* bias, float* residual = null, int ldr = 0, ActivationKind activation = ActivationKind.Linear)
    {
        if (m <= 0) return;
        _a = a; _lda = lda; _m = m; _b = b; _c = c; _ldc = ldc; _bias = bias; _residual = residual; _ldr = ldr;
        var part = GemmPartition.For(m, b.N, b.K, b.Panels, runner.Threads, tinyWork: 128 * 1024);
        _rowBlock = part.RowBlock; _panelChunk = part.PanelChunk; _panelChunks = part.PanelChunks; _packRows = part.PackRows;

        long packed = GemmInt8.PackedALength(m, b.K);
        if (_packBuffer.Length < packed) _packBuffer = GC.AllocateArray<int>(checked((int)packed), pinned: true);
        if (_scaleBuffer.Length < m) _scaleBuffer = GC.AllocateArray<float>(m, pinned: true);
        if (_zeroPointBuffer.Length < m) _zeroPointBuffer = GC.AllocateArray<int>(m, pinned: true);
        if (_rowBuffers.Length < runner.Threads) _rowBuffers = new byte[runner.Threads][];
        // every worker's row buffer here, on the caller: which worker packs which rows depends on timing
        for (int i = 0; i < runner.Threads; i++)
        {
            if (_rowBuffers[i] is not { } row || row.Length < 4 * b.KQuads)
                _rowBuffers[i] = GC.AllocateArray<byte>(4 * b.KQuads, pinned: true);
        }
        fixed (int* buffer = _packBuffer)
        fixed (float* scales = _scaleBuffer)
        fixed (int* zeroPoints = _zeroPointBuffer)
        {
            _packedA = buffer;
            _rowScales = scales;
            _rowZeroPoints = zeroPoints;
            _packing = true;
            runner.For(part.PackTasks, this);
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
            fixed (byte* rb = _rowBuffers[worker])
                GemmInt8.QuantizeRows(_a, _lda, _m, b.K, _packedA, _rowScales, _rowZeroPoints, r0, Math.Min(_m, r0 + _packRows), rb);
            return;
        }
        int rbk = index / _panelChunks, pc = index % _panelChunks;
        int row0 = rbk * _rowBlock, row1 = Math.Min(_m, row0 + _rowBlock);
        int p0 = pc * _panelChunk, p1 = Math.Min(b.Panels, p0 + _panelChunk);
        fixed (sbyte* pb = b.Data)
        fixed (float* cs = b.Scales)
        fixed (int* sums = b.ColumnSums)
            GemmInt8.RunPacked(_packedA, _rowScales, _rowZeroPoints, _m, b, pb, cs, sums, _c, _ldc, row0, row1, p0, p1, _bias, _residual, _ldr);
    }
}
