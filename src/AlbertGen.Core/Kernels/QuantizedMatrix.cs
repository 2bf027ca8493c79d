using System.Runtime.CompilerServices;

namespace AlbertGen.Kernels;

/// <summary>
/// An <c>nn.Linear</c> weight (N outputs × K inputs) as symmetric int8 with one float scale per output row
/// (W[j, k] ≈ q[j, k] · scale[j], q in [−127, 127]), packed once for <see cref="GemmInt8"/>: panels of
/// <see cref="GemmInt8.NR"/> = 16 outputs; inside a panel, for each quad of inputs (k = 4·kq … 4·kq + 3) 64 bytes:
/// columns 0–7 then 8–15, each column's four weights consecutive — the order <c>pmaddubsw</c> consumes against a
/// broadcast quad of activations (docs/decisions.md D39). K is zero-padded to whole quads, columns past N are zero.
/// <see cref="ColumnSums"/> (Σₖ q[j, k]) pay for the activations' zero point. 64-byte aligned.
/// </summary>
internal sealed unsafe class QuantizedMatrix
{
    /// <summary>
    /// Longest reduction: every int32 dot product of K products of two values in [−127, 127] must fit, and
    /// 131072 · 127² = 2 114 060 288 &lt; 2³¹.
    /// </summary>
    public const int MaxK = 131072;

    /// <summary>Largest magnitude of a quantized value (weights and activations; −128 is never used).</summary>
    public const int QMax = 127;

    /// <summary>
    /// Largest weight magnitude of the reduced range (<c>albertgen quantize --weight-bits 7</c>, D41): with activations in
    /// [0, 127], four products sum to at most 4 · 127 · 64 = 32 512 &lt; 2¹⁵, so two quads' <c>pmaddubsw</c> pair sums
    /// add in int16 before one <c>pmaddwd</c> (<see cref="Int8Kernel.Avx2Pairs"/>).
    /// </summary>
    public const int ReducedQMax = 64;

    /// <summary>Outputs (columns of C).</summary>
    public int N { get; }
    /// <summary>Reduction length.</summary>
    public int K { get; }
    /// <summary>Input quads (K rounded up to a multiple of 4, over 4).</summary>
    public int KQuads => (K + 3) / 4;
    public int Panels => (N + GemmInt8.NR - 1) / GemmInt8.NR;

    readonly sbyte[]? _storage; // pinned, Data starts at a 64-byte boundary inside it; null over a packed model image
    readonly float[]? _scales;  // pinned; null over a packed model image
    readonly sbyte* _data;
    readonly float* _scalePointer;

    /// <summary>Per-output scales, zero-padded to whole panels.</summary>
    public Span<float> Scales => new(_scalePointer, Panels * GemmInt8.NR);

    /// <summary>Σₖ q[j, k] per output, zero-padded to whole panels (pinned): the zero-point compensation term (D39).</summary>
    public int[] ColumnSums { get; }

    /// <summary>max |q| over the weights (from the packed bytes).</summary>
    public int MaxAbsWeight { get; private set; }

    /// <summary>Whether every weight lies in [−<see cref="ReducedQMax"/>, <see cref="ReducedQMax"/>]: the AVX2 pair kernel may run.</summary>
    public bool IsReducedRange => MaxAbsWeight <= ReducedQMax;

    /// <summary>Panels × KQuads × 64 bytes.</summary>
    public Span<sbyte> Data => new(_data, PackedLength(N, K));

    QuantizedMatrix(int n, int k)
    {
        CheckSizes(n, k);
        N = n;
        K = k;
        int length = PackedLength(n, k);
        _storage = GC.AllocateArray<sbyte>(length + AlignedFloats.Alignment, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref _storage[0]);
        int offset = (int)((AlignedFloats.Alignment - address % AlignedFloats.Alignment) % AlignedFloats.Alignment);
        _data = (sbyte*)Unsafe.AsPointer(ref _storage[offset]);
        _scales = GC.AllocateArray<float>(Panels * GemmInt8.NR, pinned: true);
        _scalePointer = (float*)Unsafe.AsPointer(ref _scales[0]);
        ColumnSums = GC.AllocateArray<int>(Panels * GemmInt8.NR, pinned: true);
    }

    QuantizedMatrix(int n, int k, sbyte* data, float* scales)
    {
        CheckSizes(n, k);
        N = n;
        K = k;
        _data = data;
        _scalePointer = scales;
        ColumnSums = GC.AllocateArray<int>(Panels * GemmInt8.NR, pinned: true);
        SumColumns(); // the image holds panels, not sums
    }

    static void CheckSizes(int n, int k)
    {
        if (n <= 0 || k <= 0)
            throw new ArgumentOutOfRangeException(nameof(n), $"a quantized matrix needs positive sizes (found {n} × {k})");
        if (k > MaxK)
            throw new ArgumentOutOfRangeException(nameof(k), $"int8 reductions are limited to {MaxK} inputs (int32 accumulators); found {k}");
    }

    /// <summary>
    /// Panels and scales already in this layout (a packed model image, D37): used in place, not copied. The caller keeps
    /// the memory alive for as long as the matrix is used (any alignment works; 64 bytes is faster).
    /// </summary>
    public static QuantizedMatrix Over(sbyte* data, float* scales, int n, int k)
    {
        return new QuantizedMatrix(n, k, data, scales);
    }

    /// <summary>Where output <paramref name="j"/>'s first quad lies in <see cref="Data"/>; its next quad is 64 bytes on.</summary>
    public static int ColumnOffset(int j, int kQuads) =>
        j / GemmInt8.NR * kQuads * 4 * GemmInt8.NR + (j % GemmInt8.NR / 8) * 32 + (j % 8) * 4;

    /// <summary><see cref="ColumnSums"/> and <see cref="MaxAbsWeight"/> from the packed bytes (zero padding adds nothing).</summary>
    void SumColumns()
    {
        var packed = Data;
        int kQuads = KQuads, maxAbs = 0;
        for (int j = 0; j < N; j++)
        {
            int at = ColumnOffset(j, kQuads), sum = 0;
            for (int kq = 0; kq < kQuads; kq++, at += 4 * GemmInt8.NR)
            {
                int w0 = packed[at], w1 = packed[at + 1], w2 = packed[at + 2], w3 = packed[at + 3];
                sum += w0 + w1 + w2 + w3;
                maxAbs = Math.Max(maxAbs, Math.Max(Math.Max(Math.Abs(w0), Math.Abs(w1)), Math.Max(Math.Abs(w2), Math.Abs(w3))));
            }
            ColumnSums[j] = sum;
        }
        MaxAbsWeight = maxAbs;
    }

    public static int PackedLength(int n, int k) => checked((n + GemmInt8.NR - 1) / GemmInt8.NR * GemmInt8.NR * ((k + 3) / 4) * 4);

    /// <summary>Packs int8 rows (n × k, values in [−127, 127]) with their per-row scales.</summary>
    public static QuantizedMatrix FromInt8(ReadOnlySpan<sbyte> q, ReadOnlySpan<float> scales, int n, int k)
    {
        if (q.Length != (long)n * k) throw new ArgumentException($"the int8 weight has {q.Length} values, {n} × {k} expected");
        if (scales.Length != n) throw new ArgumentException($"the scale vector has {scales.Length} values, {n} expected");
        var m = new QuantizedMatrix(n, k);
        scales.CopyTo(m.Scales);
        var data = m.Data;
        int kQuads = m.KQuads;
        for (int j = 0; j < n; j++)
        {
            var row = q.Slice(j * k, k);
            int at = ColumnOffset(j, kQuads);
            for (int kk = 0; kk < k; kk++)
                data[at + (kk >> 2) * 4 * GemmInt8.NR + (kk & 3)] = row[kk];
        }
        m.SumColumns();
        return m;
    }

    /// <summary>Several int8 weights with the same input size packed as one matrix with their outputs concatenated (e.g. Q, K, V).</summary>
    public static QuantizedMatrix FromInt8(int k, params (ReadOnlyMemory<sbyte> Weight, ReadOnlyMemory<float> Scales)[] parts)
    {
        int n = parts.Sum(p => p.Scales.Length);
        var q = new sbyte[(long)n * k];
        var s = new float[n];
        int rows = 0;
        foreach (var (w, sc) in parts)
        {
            w.Span.CopyTo(q.AsSpan(rows * k));
            sc.Span.CopyTo(s.AsSpan(rows));
            rows += sc.Length;
        }
        return FromInt8(q, s, n, k);
    }

    /// <summary>
    /// Symmetric per-row quantization of a float weight (n × k): scale[j] = max|W[j, :]| / qMax, q = round-half-even(W / scale)
    /// clamped to [−qMax, qMax]; an all-zero row gets scale 0 and zeros. <paramref name="qMax"/> is <see cref="QMax"/>
    /// (8 bits) or <see cref="ReducedQMax"/> (the reduced range the AVX2 pair kernel needs, D41).
    /// </summary>
    public static (sbyte[] Q, float[] Scales) Quantize(ReadOnlySpan<float> w, int n, int k, int qMax = QMax)
    {
        if (w.Length != (long)n * k) throw new ArgumentException($"the weight has {w.Length} values, {n} × {k} expected");
        if (qMax is < 1 or > QMax) throw new ArgumentOutOfRangeException(nameof(qMax), $"the weight range must lie in [1, {QMax}] (found {qMax})");
        var q = new sbyte[(long)n * k];
        var scales = new float[n];
        for (int j = 0; j < n; j++)
        {
            var row = w.Slice(j * k, k);
            float max = 0;
            foreach (float x in row)
            {
                if (!float.IsFinite(x)) throw new ArgumentException($"row {j} of the weight holds {x}; only finite weights can be quantized");
                max = Math.Max(max, Math.Abs(x));
            }
            if (max == 0) continue;
            float scale = max / qMax;
            scales[j] = scale;
            for (int kk = 0; kk < k; kk++)
                q[j * k + kk] = (sbyte)Math.Clamp(MathF.Round(row[kk] / scale), -qMax, qMax);
        }
        return (q, scales);
    }
}
