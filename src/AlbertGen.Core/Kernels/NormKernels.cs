using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace AlbertGen.Kernels;

/// <summary>
/// Row-wise LayerNorm and softmax. LayerNorm is two-pass (mean, then centred sum of squares) as torch's CPU
/// kernel is, with the biased variance; softmax subtracts the row maximum before <c>exp</c>. Its
/// vector paths are Vector256 (AVX2) or Vector128 (ARM64 NEON, x64 without AVX2), else scalar. The
/// <c>Naive*</c> twins compute the same in double precision and are the test oracles.
/// </summary>
internal static class NormKernels
{
    /// <summary>y = (x − mean) / sqrt(var + eps) · weight + bias over one row. <paramref name="y"/> may alias <paramref name="x"/>.</summary>
    public static void LayerNorm(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps)
    {
        int n = x.Length;
        if (weight.Length != n || bias.Length != n || y.Length < n)
            throw new ArgumentException("LayerNorm: row, weight and bias lengths differ");
        if (n == 0) return;
        float mean = TensorPrimitives.Sum(x) / n;
        // Σ(x − mean)² without a scratch buffer: Σx² − n·mean² loses precision; the centred form does not.
        int i = 0;
        float ss = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var mv = Vector256.Create(mean);
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var d = Vector256.Create(x.Slice(i, 8)) - mv;
                acc = Vector256.FusedMultiplyAdd(d, d, acc);
            }
            ss = Vector256.Sum(acc);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var mv = Vector128.Create(mean);
            var acc = Vector128<float>.Zero;
            for (; i <= n - 4; i += 4)
            {
                var d = Vector128.Create(x.Slice(i, 4)) - mv;
                acc = Vector128.MultiplyAddEstimate(d, d, acc);
            }
            ss = Vector128.Sum(acc);
        }
        for (; i < n; i++)
        {
            float d = x[i] - mean;
            ss += d * d;
        }
        float rstd = 1f / MathF.Sqrt(ss / n + eps);
        // y = (x − mean)·rstd·w + b
        i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var mv = Vector256.Create(mean);
            var rv = Vector256.Create(rstd);
            for (; i <= n - 8; i += 8)
            {
                var d = (Vector256.Create(x.Slice(i, 8)) - mv) * rv;
                var r = Vector256.FusedMultiplyAdd(d, Vector256.Create(weight.Slice(i, 8)), Vector256.Create(bias.Slice(i, 8)));
                r.CopyTo(y.Slice(i, 8));
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var mv = Vector128.Create(mean);
            var rv = Vector128.Create(rstd);
            for (; i <= n - 4; i += 4)
            {
                var d = (Vector128.Create(x.Slice(i, 4)) - mv) * rv;
                var r = Vector128.MultiplyAddEstimate(d, Vector128.Create(weight.Slice(i, 4)), Vector128.Create(bias.Slice(i, 4)));
                r.CopyTo(y.Slice(i, 4));
            }
        }
        for (; i < n; i++)
            y[i] = (x[i] - mean) * rstd * weight[i] + bias[i];
    }

    public static void NaiveLayerNorm(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps)
    {
        int n = x.Length;
        double mean = 0;
        for (int i = 0; i < n; i++) mean += x[i];
        mean /= n;
        double v = 0;
        for (int i = 0; i < n; i++) v += (x[i] - mean) * (x[i] - mean);
        v /= n;
        double rstd = 1 / Math.Sqrt(v + eps);
        for (int i = 0; i < n; i++) y[i] = (float)((x[i] - mean) * rstd * weight[i] + bias[i]);
    }

    /// <summary>In-place softmax of one row: exp(x − max) in one pass that also sums (<see cref="VectorExp"/>), then a scale.</summary>
    public static void Softmax(Span<float> x) => Softmax(x, 1f);

    /// <summary>
    /// softmax(<paramref name="scale"/> · x) in place, the scale folded into the exponent (eˢ⁽ˣ⁻ᵐᵃˣ⁾, s &gt; 0) so
    /// attention scores take one pass less (D38). −∞ entries get weight 0.
    /// </summary>
    public static void Softmax(Span<float> x, float scale)
    {
        if (x.IsEmpty) return;
        float sum = SoftmaxNumerators(x, scale);
        TensorPrimitives.Multiply(x, 1f / sum, x);
    }

    /// <summary>
    /// The numerators of softmax(<paramref name="scale"/> · x) in place — eˢ⁽ˣ⁻ᵐᵃˣ⁾, −∞ entries 0 — and their sum: the
    /// softmax is x / sum. x must not be empty; at least one entry must be finite for a finite sum.
    /// </summary>
    public static float SoftmaxNumerators(Span<float> x, float scale)
    {
        int n = x.Length, i = 0;
        ref float r = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        float max = float.NegativeInfinity, sum = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            // the row max in registers (TensorPrimitives.Max also orders NaNs and −0, which attention has no use for)
            var mv = Vector256.LoadUnsafe(ref r);
            for (i = 8; i <= n - 8; i += 8) mv = Vector256.MaxNative(mv, Vector256.LoadUnsafe(ref r, (nuint)i));
            mv = Vector256.MaxNative(mv, Vector256.LoadUnsafe(ref r, (nuint)(n - 8)));
            var m4 = Vector128.MaxNative(mv.GetLower(), mv.GetUpper());
            max = MathF.Max(MathF.Max(m4[0], m4[1]), MathF.Max(m4[2], m4[3]));
            var maxV = Vector256.Create(max);
            var sv = Vector256.Create(scale);
            var acc = Vector256<float>.Zero;
            for (i = 0; i <= n - 8; i += 8)
            {
                var e = VectorExp.Exp((Vector256.LoadUnsafe(ref r, (nuint)i) - maxV) * sv);
                e.StoreUnsafe(ref r, (nuint)i);
                acc += e;
            }
            sum = Vector256.Sum(acc);
        }
        else
        {
            max = TensorPrimitives.Max(x);
            if (Vector128.IsHardwareAccelerated)
            {
                var maxV = Vector128.Create(max);
                var sv = Vector128.Create(scale);
                var acc = Vector128<float>.Zero;
                for (; i <= n - 4; i += 4)
                {
                    var e = VectorExp.Exp((Vector128.LoadUnsafe(ref r, (nuint)i) - maxV) * sv);
                    e.StoreUnsafe(ref r, (nuint)i);
                    acc += e;
                }
                sum = Vector128.Sum(acc);
            }
        }
        for (; i < n; i++)
        {
            float e = MathF.Exp((x[i] - max) * scale);
            x[i] = e;
            sum += e;
        }
        return sum;
    }

    public static void NaiveSoftmax(Span<float> x)
    {
        if (x.IsEmpty) return;
        double max = double.NegativeInfinity;
        foreach (var v in x) max = Math.Max(max, v);
        double sum = 0;
        foreach (var v in x) sum += Math.Exp(v - max);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(Math.Exp(x[i] - max) / sum);
    }
}
