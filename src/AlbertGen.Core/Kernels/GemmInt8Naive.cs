namespace AlbertGen.Kernels;

/// <summary>
/// The naive twin of <see cref="GemmInt8"/> and test oracle: each row of A quantized on its own (scalar), the dot
/// products accumulated in int32 over the unpacked int8 weight (n × k), then the shared float epilogue. The optimised
/// kernels must equal it bit for bit.
/// </summary>
internal static class GemmInt8Naive
{
    public static void Linear(ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales, int n, Span<float> c,
        ReadOnlySpan<float> bias = default, ReadOnlySpan<float> residual = default)
    {
        var q = new int[k];
        for (int i = 0; i < m; i++)
        {
            var row = a.Slice(i * k, k);
            float max = 0;
            foreach (float x in row) max = Math.Max(max, Math.Abs(x));
            float scale = 0;
            if (max == 0) Array.Clear(q);
            else
            {
                float inv = QuantizedMatrix.QMax / max;
                for (int kk = 0; kk < k; kk++) q[kk] = GemmInt8.QuantizeScalar(row[kk], inv);
                scale = max / QuantizedMatrix.QMax;
            }
            for (int j = 0; j < n; j++)
            {
                int acc = 0;
                for (int kk = 0; kk < k; kk++) acc += q[kk] * w[j * k + kk];
                c[i * n + j] = GemmInt8.Dequantize(acc, scale, wScales[j], bias.IsEmpty ? 0f : bias[j],
                    residual.IsEmpty ? 0f : residual[i * n + j], !bias.IsEmpty, !residual.IsEmpty);
            }
        }
    }

    /// <summary>The quantized row of A the naive path uses (for tests of <see cref="GemmInt8.QuantizeRow"/>).</summary>
    public static float QuantizeRow(ReadOnlySpan<float> row, Span<short> q)
    {
        float max = 0;
        foreach (float x in row) max = Math.Max(max, Math.Abs(x));
        if (max == 0) { q.Clear(); return 0; }
        float inv = QuantizedMatrix.QMax / max;
        for (int kk = 0; kk < row.Length; kk++) q[kk] = GemmInt8.QuantizeScalar(row[kk], inv);
        return max / QuantizedMatrix.QMax;
    }
}
