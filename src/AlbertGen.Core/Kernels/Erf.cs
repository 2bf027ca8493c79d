using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AlbertGen.Kernels;

/// <summary>
/// erf for HF's exact <c>gelu</c> (TensorPrimitives has none), in single precision without a division (D45): N. Juffa's
/// faithfully rounded <c>erff</c> (Stack Overflow question 35148198, the algorithm and coefficients ONNX Runtime's MLAS
/// uses for its Erf and BiasGelu kernels). With a = min(|x|, 3.925) (erf is 1 to float precision beyond):
/// a ≤ 0.921875: erf = a + a·S(a²), S of degree 5; otherwise erf = 1 − e^−(a + a·B(a)), B of degree 6; the sign of x
/// is put back last. The vector forms compute both branches and select, B by Estrin's scheme (independent pairs, then
/// steps in a²: a shorter dependency chain, which is what a GELU loop waits on), the exp from <see cref="VectorExp"/>.
/// Within 6e-8 of the double erf on −6…6 (tested at 1e-7); the former form (Numerical Recipes' erfc with a division
/// and a degree-9 polynomial) took ~10 % longer and was within 1.2e-7. <see cref="Double"/> is the high-precision twin
/// used by tests.
/// </summary>
internal static class Erf
{
    const float UpperAbsRange = 3.925f, SplitBoundary = 0.921875f;
    // a ≤ SplitBoundary: erf(a) = a + a·S(a²)
    const float S0 = -5.99104969e-4f, S1 = 4.99339588e-3f, S2 = -2.67667342e-2f, S3 = 1.12818025e-1f, S4 = -3.76124859e-1f,
        S5 = 1.28379151e-1f;
    // a > SplitBoundary: erf(a) = 1 − exp(−(a + a·B(a)))
    const float B0 = 1.72948930e-5f, B1 = -3.83208680e-4f, B2 = 3.88393435e-3f, B3 = -2.42545605e-2f, B4 = 1.06777847e-1f,
        B5 = 6.34846687e-1f, B6 = 1.28717512e-1f;

    public static float Single(float x)
    {
        float a = MathF.Min(MathF.Abs(x), UpperAbsRange);
        float r;
        if (a <= SplitBoundary)
        {
            float s = a * a;
            r = a + a * (S5 + s * (S4 + s * (S3 + s * (S2 + s * (S1 + s * S0)))));
        }
        else
        {
            r = 1f - MathF.Exp(-(a + a * (B6 + a * (B5 + a * (B4 + a * (B3 + a * (B2 + a * (B1 + a * B0))))))));
        }
        return MathF.CopySign(r, x);
    }

    /// <summary>
    /// The vector form: fused multiply-adds (Vector256 is accelerated only with AVX2, and .NET turns FMA off on x64
    /// without AVX2, so these are single vfmadd instructions), inlined into the caller's loop: a call with a Vector256
    /// argument goes through memory on the SysV ABI (D43).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Vector(Vector256<float> x)
    {
        var a = Vector256.Min(Vector256.Abs(x), Vector256.Create(UpperAbsRange));
        var s = a * a;
        var ps = Vector256.FusedMultiplyAdd(Vector256.Create(S0), s, Vector256.Create(S1));
        ps = Vector256.FusedMultiplyAdd(ps, s, Vector256.Create(S2));
        ps = Vector256.FusedMultiplyAdd(ps, s, Vector256.Create(S3));
        ps = Vector256.FusedMultiplyAdd(ps, s, Vector256.Create(S4));
        ps = Vector256.FusedMultiplyAdd(ps, s, Vector256.Create(S5));
        var small = Vector256.FusedMultiplyAdd(ps, a, a);
        // B(a) = ((B0·a + B1)·a² + (B2·a + B3))·a² + (B4·a + B5), then ·a + B6
        var b01 = Vector256.FusedMultiplyAdd(Vector256.Create(B0), a, Vector256.Create(B1));
        var b23 = Vector256.FusedMultiplyAdd(Vector256.Create(B2), a, Vector256.Create(B3));
        var b45 = Vector256.FusedMultiplyAdd(Vector256.Create(B4), a, Vector256.Create(B5));
        var pb = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(b01, s, b23), s, b45);
        pb = Vector256.FusedMultiplyAdd(pb, a, Vector256.Create(B6));
        var big = Vector256<float>.One - VectorExp.ExpInRange(-Vector256.FusedMultiplyAdd(pb, a, a));
        var erf = Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256.Create(SplitBoundary)), big, small);
        return erf | (x & Vector256.Create(-0f));
    }

    /// <summary>The Vector512 twin of the Vector256 form (x64 with AVX-512): the same operations, lane for lane bit-identical.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Vector(Vector512<float> x)
    {
        var a = Vector512.Min(Vector512.Abs(x), Vector512.Create(UpperAbsRange));
        var s = a * a;
        var ps = Vector512.FusedMultiplyAdd(Vector512.Create(S0), s, Vector512.Create(S1));
        ps = Vector512.FusedMultiplyAdd(ps, s, Vector512.Create(S2));
        ps = Vector512.FusedMultiplyAdd(ps, s, Vector512.Create(S3));
        ps = Vector512.FusedMultiplyAdd(ps, s, Vector512.Create(S4));
        ps = Vector512.FusedMultiplyAdd(ps, s, Vector512.Create(S5));
        var small = Vector512.FusedMultiplyAdd(ps, a, a);
        var b01 = Vector512.FusedMultiplyAdd(Vector512.Create(B0), a, Vector512.Create(B1));
        var b23 = Vector512.FusedMultiplyAdd(Vector512.Create(B2), a, Vector512.Create(B3));
        var b45 = Vector512.FusedMultiplyAdd(Vector512.Create(B4), a, Vector512.Create(B5));
        var pb = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(b01, s, b23), s, b45);
        pb = Vector512.FusedMultiplyAdd(pb, a, Vector512.Create(B6));
        var big = Vector512<float>.One - VectorExp.ExpInRange(-Vector512.FusedMultiplyAdd(pb, a, a));
        var erf = Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512.Create(SplitBoundary)), big, small);
        return erf | (x & Vector512.Create(-0f));
    }

    /// <summary>The Vector128 twin of the Vector256 form (ARM64, x64 without AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Vector(Vector128<float> x)
    {
        // MultiplyAddEstimate: fused where the CPU has FMA (every ARM64), a multiply and an add where it has not (VectorExp)
        var a = Vector128.Min(Vector128.Abs(x), Vector128.Create(UpperAbsRange));
        var s = a * a;
        var ps = Vector128.MultiplyAddEstimate(Vector128.Create(S0), s, Vector128.Create(S1));
        ps = Vector128.MultiplyAddEstimate(ps, s, Vector128.Create(S2));
        ps = Vector128.MultiplyAddEstimate(ps, s, Vector128.Create(S3));
        ps = Vector128.MultiplyAddEstimate(ps, s, Vector128.Create(S4));
        ps = Vector128.MultiplyAddEstimate(ps, s, Vector128.Create(S5));
        var small = Vector128.MultiplyAddEstimate(ps, a, a);
        var b01 = Vector128.MultiplyAddEstimate(Vector128.Create(B0), a, Vector128.Create(B1));
        var b23 = Vector128.MultiplyAddEstimate(Vector128.Create(B2), a, Vector128.Create(B3));
        var b45 = Vector128.MultiplyAddEstimate(Vector128.Create(B4), a, Vector128.Create(B5));
        var pb = Vector128.MultiplyAddEstimate(Vector128.MultiplyAddEstimate(b01, s, b23), s, b45);
        pb = Vector128.MultiplyAddEstimate(pb, a, Vector128.Create(B6));
        var big = Vector128<float>.One - VectorExp.ExpInRange(-Vector128.MultiplyAddEstimate(pb, a, a));
        var erf = Vector128.ConditionalSelect(Vector128.GreaterThan(a, Vector128.Create(SplitBoundary)), big, small);
        return erf | (x & Vector128.Create(-0f));
    }

    /// <summary>erf in double precision: Maclaurin series for |x| &lt; 2.5, continued fraction for erfc beyond.</summary>
    public static double Double(double x)
    {
        double z = Math.Abs(x);
        double r;
        if (z < 2.5)
        {
            // erf(z) = 2/√π Σ (-1)^n z^(2n+1) / (n! (2n+1))
            double term = z, sum = z, z2 = z * z;
            for (int n = 1; n < 200; n++)
            {
                term *= -z2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            }
            r = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            // erfc(z) = exp(-z²)/√π · 1/(z + 1/2/(z + 1/(z + 3/2/(z + 2/(z + ...))))) (Lentz-free backward evaluation)
            double f = 0;
            for (int n = 120; n >= 1; n--) f = n / 2.0 / (z + f);
            r = 1 - Math.Exp(-z * z) / Math.Sqrt(Math.PI) / (z + f);
        }
        return x < 0 ? -r : r;
    }
}
