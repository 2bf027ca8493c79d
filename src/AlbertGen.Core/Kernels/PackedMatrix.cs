namespace AlbertGen.Kernels;

/// <summary>
/// A right-hand GEMM operand packed once into column panels of <see cref="Gemm.NR"/> outputs: for panel p,
/// K consecutive groups of NR floats (k-major), zero-padded past N. The micro-kernel then streams one panel
/// with two aligned 256-bit loads per k. Built from an HF <c>nn.Linear</c> weight (out × in, "transposed"
/// layout) or from a row-major K × N matrix.
/// </summary>
internal sealed unsafe class PackedMatrix
{
    /// <summary>Outputs (columns of C).</summary>
    public int N { get; }
    /// <summary>Reduction length.</summary>
    public int K { get; }
    public int Panels => (N + Gemm.NR - 1) / Gemm.NR;
    readonly float[]? _storage; // pinned, Data starts at a 64-byte boundary inside it; null over a packed model image
    readonly float* _data;

    /// <summary>Panels × K × NR floats, 64-byte aligned: each k step of a panel is exactly one cache line.</summary>
    public Span<float> Data => new(_data, PackedLength(N, K));

    PackedMatrix(int n, int k)
    {
        N = n;
        K = k;
        _storage = AlignedFloats.Allocate(PackedLength(n, k), out int offset);
        _data = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _storage[offset]);
    }

    PackedMatrix(int n, int k, float* data)
    {
        N = n;
        K = k;
        _data = data;
    }

    /// <summary>
    /// Panels already in this layout at <paramref name="data"/> (a packed model image, D37): used in place, not copied.
    /// The caller keeps the memory alive for as long as the matrix is used. 64-byte alignment is faster (each k step one cache line); any address works, as the kernels' loads are unaligned ones.
    /// </summary>
    public static PackedMatrix Over(float* data, int n, int k)
    {
        if (n <= 0 || k <= 0)
            throw new ArgumentOutOfRangeException(nameof(n), $"a packed matrix needs positive sizes (found {n} × {k})");
        return new PackedMatrix(n, k, data);
    }

    public static int PackedLength(int n, int k) => (n + Gemm.NR - 1) / Gemm.NR * Gemm.NR * k;

    /// <summary>Packs an <c>nn.Linear</c> weight W (n × k, row stride <paramref name="rowStride"/>) so that C = A·Wᵀ.</summary>
    public static PackedMatrix FromLinearWeight(ReadOnlySpan<float> w, int n, int k, int rowStride = -1)
    {
        var packed = new PackedMatrix(n, k);
        PackTransposed(w, rowStride < 0 ? k : rowStride, n, k, packed.Data);
        return packed;
    }

    /// <summary>Packs several <c>nn.Linear</c> weights with the same input size as one matrix with their outputs concatenated (e.g. Q, K, V).</summary>
    public static PackedMatrix FromLinearWeights(int k, params ReadOnlyMemory<float>[] weights)
    {
        int n = 0;
        foreach (var w in weights) n += w.Length / k;
        var rows = new float[(long)n * k];
        int at = 0;
        foreach (var w in weights)
        {
            w.Span.CopyTo(rows.AsSpan(at));
            at += w.Length;
        }
        return FromLinearWeight(rows, n, k);
    }

    /// <summary>Packs B given as n rows of k (row stride <paramref name="rowStride"/>): dst[p][kk][j] = src[p·NR + j][kk].</summary>
    public static void PackTransposed(ReadOnlySpan<float> src, int rowStride, int n, int k, Span<float> dst)
    {
        const int nr = Gemm.NR;
        int panels = (n + nr - 1) / nr;
        for (int p = 0; p < panels; p++)
        {
            var panel = dst.Slice(p * k * nr, k * nr);
            int cols = Math.Min(nr, n - p * nr);
            if (cols < nr) panel.Clear();
            for (int j = 0; j < cols; j++)
            {
                var row = src.Slice((p * nr + j) * rowStride, k);
                for (int kk = 0; kk < k; kk++)
                    panel[kk * nr + j] = row[kk];
            }
        }
    }

    /// <summary>Packs B given row-major as k rows of n (row stride <paramref name="rowStride"/>): dst[p][kk][j] = src[kk][p·NR + j].</summary>
    public static void PackRowMajor(ReadOnlySpan<float> src, int rowStride, int k, int n, Span<float> dst)
    {
        const int nr = Gemm.NR;
        int panels = (n + nr - 1) / nr;
        for (int p = 0; p < panels; p++)
        {
            var panel = dst.Slice(p * k * nr, k * nr);
            int cols = Math.Min(nr, n - p * nr);
            for (int kk = 0; kk < k; kk++)
            {
                var from = src.Slice(kk * rowStride + p * nr, cols);
                var to = panel.Slice(kk * nr, nr);
                from.CopyTo(to);
                if (cols < nr) to[cols..].Clear();
            }
        }
    }
}
