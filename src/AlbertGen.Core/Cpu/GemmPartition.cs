using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>
/// How <see cref="GemmJob"/> and <see cref="QuantizedGemmJob"/> split C = A · Bᵀ (m rows, <c>panels</c> column
/// panels) into tasks: row blocks of at most <see cref="GemmJob.MaxRowBlock"/> rows (whole MR-row tiles), panel
/// chunks so each thread gets about four (row block × panel chunk) tasks — one task when the product is below
/// <c>tinyWork</c> multiply-adds, which is less than a thread hand-off — and the A-packing phase as tasks of
/// <see cref="PackRows"/> rows (one task for short inputs).
/// </summary>
internal readonly struct GemmPartition
{
    public int RowBlock { get; private init; }
    public int PanelChunk { get; private init; }
    public int PanelChunks { get; private init; }
    public int Tasks { get; private init; }
    public int PackRows { get; private init; }
    public int PackTasks { get; private init; }

    public static GemmPartition For(int m, int n, int k, int panels, int threads, long tinyWork)
    {
        const int mr = Gemm.MR;
        int rowBlocks = (m + GemmJob.MaxRowBlock - 1) / GemmJob.MaxRowBlock;
        int rowBlock = Gemm.PaddedRows((m + rowBlocks - 1) / rowBlocks);
        rowBlocks = (m + rowBlock - 1) / rowBlock;
        int wanted = Math.Max(1, (4 * threads + rowBlocks - 1) / rowBlocks);
        if ((long)m * n * k < tinyWork) wanted = 1;
        int panelChunks = Math.Min(panels, wanted);
        int panelChunk = (panels + panelChunks - 1) / panelChunks;
        panelChunks = (panels + panelChunk - 1) / panelChunk;
        int tasks = rowBlocks * panelChunks;
        int tiles = Gemm.PaddedRows(m) / mr;
        int packTasks = tasks == 1 || m <= Gemm.SmallM ? 1 : Math.Min(tiles, 2 * threads);
        int packRows = (tiles + packTasks - 1) / packTasks * mr;
        return new GemmPartition
        {
            RowBlock = rowBlock, PanelChunk = panelChunk, PanelChunks = panelChunks, Tasks = tasks,
            PackRows = packRows, PackTasks = (m + packRows - 1) / packRows,
        };
    }
}
