namespace AlbertGen.Kernels;

/// <summary>The naive twin of <see cref="Gemm"/>: C = A·Wᵀ + bias + residual, W given as an <c>nn.Linear</c> weight (n × k). Test oracle.</summary>
internal static class GemmNaive
{
    public static void Linear(ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<float> w, int n, Span<float> c,
        ReadOnlySpan<float> bias = default, ReadOnlySpan<float> residual = default)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int kk = 0; kk < k; kk++) s += (double)a[i * k + kk] * w[j * k + kk];
                if (!bias.IsEmpty) s += bias[j];
                if (!residual.IsEmpty) s += residual[i * n + j];
                c[i * n + j] = (float)s;
            }
        }
    }
}
