using System.Numerics.Tensors;
using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>
/// Scaled dot-product attention for one (sequence, head) per task, reading Q, K, V from the fused QKV rows
/// (row stride 3H: [query | key | value]) and writing the head's slice of the context rows (stride H).
/// A sequence is a run of rows of the token buffers (<see cref="CpuWorkspace.SequenceStart"/>,
/// <see cref="CpuWorkspace.QueryCount"/> rows): seq rows of a padded batch, or one sequence's real tokens of a packed
/// one (D33), which attend to each other with no mask. Keys run over [0, keyLength): positions past the last attended
/// key are skipped entirely, masked keys inside that range get −∞ (HF adds finfo.min, which gives exactly zero weight
/// once a real key exists). A sequence with no attended key gets uniform weights over all positions, as HF's finfo.min
/// mask yields. Every query row is computed (HF returns hidden states for padded positions too). Both products use the
/// packed GEMM kernel: Kₕ is packed as the right operand of Qₕ·Kₕᵀ and Vₕ as the right operand of P·Vₕ, in per-worker
/// scratch.
/// </summary>
internal sealed unsafe class AttentionJob : IParallelJob
{
    float* _qkv, _context;
    int _hidden, _heads, _headSize;
    int[]? _mask;
    CpuWorkspace? _ws;

    /// <param name="mask">a padded batch's attention_mask, indexed by token row (null: every key attended).</param>
    public void Run(ParallelRunner runner, CpuWorkspace ws, float* qkv, float* context, int sequences, int hidden, int heads, int[]? mask)
    {
        _ws = ws; _qkv = qkv; _context = context; _hidden = hidden; _heads = heads; _headSize = hidden / heads;
        _mask = mask;
        runner.For(sequences * heads, this);
        _ws = null;
    }

    public void Execute(int index, int worker)
    {
        var ws = _ws!;
        int s = index / _heads, h = index % _heads;
        int d = _headSize, ld = 3 * _hidden;
        int start = ws.SequenceStart[s], queries = ws.QueryCount[s], keys = ws.KeyLength[s];
        bool anyValid = ws.AnyValid[s];
        var scratch = ws.AttentionScratch(worker);
        float* rows = _qkv + (long)start * ld;
        float* q = rows + h * d, k = rows + _hidden + h * d, v = rows + 2 * _hidden + h * d;

        int keyPanels = (keys + Gemm.NR - 1) / Gemm.NR;
        fixed (float* packedK = scratch.PackedKeys)
        fixed (float* packedV = scratch.PackedValues)
        fixed (float* scores = scratch.Scores)
        fixed (float* packedA = scratch.PackedRows)
        {
            // scores (queries × keys) = Qₕ · Kₕᵀ
            PackedMatrix.PackTransposed(new ReadOnlySpan<float>(k, (keys - 1) * ld + d), ld, keys, d, new Span<float>(packedK, keyPanels * Gemm.NR * d));
            Gemm.PackRows(q, ld, queries, d, packedA, 0, queries);
            Gemm.RunPacked(packedA, queries, packedK, keys, d, scores, keys, 0, queries, 0, keyPanels);

            float scale = 1f / MathF.Sqrt(d);
            // the masked keys of this sequence, once: the rows below only overwrite those (none for an all-ones mask)
            int masked = 0;
            var maskedKeys = scratch.MaskedKeys;
            if (anyValid && _mask is not null)
            {
                for (int j = 0; j < keys; j++)
                {
                    if (_mask[start + j] == 0) maskedKeys[masked++] = j;
                }
            }
            for (int i = 0; i < queries; i++)
            {
                var row = new Span<float>(scores + (long)i * keys, keys);
                if (!anyValid)
                {
                    row.Fill(0f);
                }
                else
                {
                    for (int j = 0; j < masked; j++) row[maskedKeys[j]] = float.NegativeInfinity;
                }
                // softmax(scale · scores): the scale rides in the exponent (D38). Normalising the P·V rows instead
                // (d values, not `keys`) was 3 % faster but moved the fill-mask fixture's scores 1.2e-5 from HF (D46)
                TensorPrimitives.Multiply(row, 1f / NormKernels.SoftmaxNumerators(row, scale), row);
            }

            // context (queries × d) = P · Vₕ
            int valuePanels = (d + Gemm.NR - 1) / Gemm.NR;
            PackedMatrix.PackRowMajor(new ReadOnlySpan<float>(v, (keys - 1) * ld + d), ld, keys, d, new Span<float>(packedV, valuePanels * Gemm.NR * keys));
            Gemm.PackRows(scores, keys, queries, keys, packedA, 0, queries);
            Gemm.RunPacked(packedA, queries, packedV, d, keys, _context + (long)start * _hidden + h * d, _hidden, 0, queries, 0, valuePanels);
        }
    }
}
