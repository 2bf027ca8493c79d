namespace AlbertGen.Kernels;

/// <summary>
/// The naive twin of <see cref="GemmInt8"/> and test oracle: each row of A quantized on its own (scalar, the same
/// asymmetric 7-bit rule), the dot products Σₖ (q − zp) · w accumulated in int32 over the unpacked int8 weight (n × k),
/// then the shared float epilogue. The optimised kernels must equal it bit for bit.
/// </summary>
internal static class GemmInt8Naive
{
    public static void Linear(ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales, int n, Span<float> c,
        ReadOnlySpan<float> bias = default, ReadOnlySpan<float> residual = default)
    {
        var q = new byte[k];
        for (int i = 0; i < m; i++)
        {
            float scale = QuantizeRow(a.Slice(i * k, k), q, out int zp);
            for (int j = 0; j < n; j++)
            {
                int acc = 0;
                for (int kk = 0; kk < k; kk++) acc += (q[kk] - zp) * w[j * k + kk];
                c[i * n + j] = GemmInt8.Dequantize(acc, scale, wScales[j], bias.IsEmpty ? 0f : bias[j],
                    residual.IsEmpty ? 0f : residual[i * n + j], !bias.IsEmpty, !residual.IsEmpty);
            }
        }
    }

    /// <summary>The quantized row of A the naive path uses (also the oracle for <see cref="GemmInt8.QuantizeRow"/>).</summary>
    public static float QuantizeRow(ReadOnlySpan<float> row, Span<byte> q, out int zeroPoint)
    {
        float min = 0, max = 0;
        foreach (float x in row)
        {
            min = Math.Min(min, x);
            max = Math.Max(max, x);
        }
        if (max == min)
        {
            q.Clear();
            zeroPoint = 0;
            return 0;
        }
        float inv = GemmInt8.ActivationMax / (max - min);
        float zp = GemmInt8.QuantizeZeroPoint(min, inv);
        zeroPoint = (int)zp;
        for (int kk = 0; kk < row.Length; kk++) q[kk] = GemmInt8.QuantizeScalar(row[kk], inv, zp);
        return (max - min) / GemmInt8.ActivationMax;
    }
}
