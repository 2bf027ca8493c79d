using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>
/// Scaled dot-product attention for one (sequence, head) per task, reading Q, K, V from the fused QKV rows
/// (row stride 3H: [query | key | value]) and writing the head's slice of the context rows (stride H).
/// Keys run over [0, keyLength): positions past the last attended key are skipped entirely, masked keys inside
/// that range get −∞ (HF adds finfo.min, which gives exactly zero weight once a real key exists). A sequence with
/// no attended key gets uniform weights over all positions, as HF's finfo.min mask yields. Every query row is
/// computed (HF returns hidden states for padded positions too). Both products use the packed GEMM kernel:
/// Kₕ is packed as the right operand of Qₕ·Kₕᵀ and Vₕ as the right operand of P·Vₕ, in per-worker scratch.
/// </summary>
internal sealed unsafe class AttentionJob : IParallelJob
{
    float* _qkv, _context;
    int _seq, _hidden, _heads, _headSize;
    int[]? _mask;
    int[] _keyLength = [];
    bool[] _anyValid = [];
    CpuWorkspace? _ws;

    public void Run(ParallelRunner runner, CpuWorkspace ws, float* qkv, float* context, int sequences, int seq, int hidden, int heads,
        int[]? mask, int[] keyLength, bool[] anyValid)
    {
        _ws = ws; _qkv = qkv; _context = context; _seq = seq; _hidden = hidden; _heads = heads; _headSize = hidden / heads;
        _mask = mask; _keyLength = keyLength; _anyValid = anyValid;
        runner.For(sequences * heads, this);
        _ws = null;
    }

    public void Execute(int index, int worker)
    {
        int s = index / _heads, h = index % _heads;
        int seq = _seq, d = _headSize, ld = 3 * _hidden;
        int keys = _keyLength[s];
        bool anyValid = _anyValid[s];
        var scratch = _ws!.AttentionScratch(worker);
        float* rows = _qkv + (long)s * seq * ld;
        float* q = rows + h * d, k = rows + _hidden + h * d, v = rows + 2 * _hidden + h * d;

        int keyPanels = (keys + Gemm.NR - 1) / Gemm.NR;
        fixed (float* packedK = scratch.PackedKeys)
        fixed (float* packedV = scratch.PackedValues)
        fixed (float* scores = scratch.Scores)
        {
            // scores (seq × keys) = Qₕ · Kₕᵀ
            PackedMatrix.PackTransposed(new ReadOnlySpan<float>(k, (keys - 1) * ld + d), ld, keys, d, new Span<float>(packedK, keyPanels * Gemm.NR * d));
            Gemm.Run(q, ld, seq, packedK, keys, d, scores, keys, 0, keyPanels);

            float scale = 1f / MathF.Sqrt(d);
            int maskBase = s * seq;
            for (int i = 0; i < seq; i++)
            {
                var row = new Span<float>(scores + (long)i * keys, keys);
                if (!anyValid)
                {
                    row.Fill(0f);
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(row, scale, row);
                    if (_mask is not null)
                    {
                        for (int j = 0; j < keys; j++)
                        {
                            if (_mask[maskBase + j] == 0) row[j] = float.NegativeInfinity;
                        }
                    }
                }
                NormKernels.Softmax(row);
            }

            // context (seq × d) = P · Vₕ
            int valuePanels = (d + Gemm.NR - 1) / Gemm.NR;
            PackedMatrix.PackRowMajor(new ReadOnlySpan<float>(v, (keys - 1) * ld + d), ld, keys, d, new Span<float>(packedV, valuePanels * Gemm.NR * keys));
            Gemm.Run(scores, keys, seq, packedV, d, keys, _context + (long)s * seq * _hidden + h * d, _hidden, 0, valuePanels);
        }
    }
}
