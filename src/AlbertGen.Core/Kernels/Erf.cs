using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AlbertGen.Kernels;

/// <summary>
/// erf for HF's exact <c>gelu</c> (TensorPrimitives has none). Float paths: Abramowitz &amp; Stegun 7.1.28-style
/// rational form replaced by A&amp;S 7.1.26 refined — we use the classic W. J. Cody-free approach from
/// Numerical Recipes' <c>erfc</c> Chebyshev fit (fractional error &lt; 1.2e-7 everywhere), which needs one exp
/// (the vector forms take <see cref="VectorExp"/>'s single-precision one, not .NET's double-widening <c>Vector256.Exp</c>: D17, D38).
/// <see cref="Double"/> is the high-precision twin (series / continued fraction) used by tests.
/// </summary>
internal static class Erf
{
    // Numerical Recipes (2nd ed.) §6.2 erfcc: erfc(x) = t·exp(-z² + P(t)), t = 1/(1 + z/2), z = |x|.
    const float C0 = -1.26551223f, C1 = 1.00002368f, C2 = 0.37409196f, C3 = 0.09678418f, C4 = -0.18628806f,
        C5 = 0.27886807f, C6 = -1.13520398f, C7 = 1.48851587f, C8 = -0.82215223f, C9 = 0.17087277f;

    public static float Single(float x)
    {
        float z = MathF.Abs(x);
        float t = 1f / (1f + 0.5f * z);
        float p = C0 + t * (C1 + t * (C2 + t * (C3 + t * (C4 + t * (C5 + t * (C6 + t * (C7 + t * (C8 + t * C9))))))));
        float erfc = t * MathF.Exp(-z * z + p);
        return x >= 0 ? 1f - erfc : erfc - 1f;
    }

    /// <summary>
    /// The vector form: Horner's steps as fused multiply-adds (Vector256 is accelerated only with AVX2, and .NET turns FMA
    /// off on x64 without AVX2, so these are single vfmadd instructions) and inlined into the caller's loop: a call with
    /// a Vector256 argument goes through memory on the SysV ABI (D43).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Vector(Vector256<float> x)
    {
        var z = Vector256.Abs(x);
        var one = Vector256<float>.One;
        var t = one / Vector256.FusedMultiplyAdd(Vector256.Create(0.5f), z, one);
        var p = Vector256.FusedMultiplyAdd(t, Vector256.Create(C9), Vector256.Create(C8));
        p = Vector256.FusedMultiplyAdd(t, p, Vector256.Create(C7));
        p = Vector256.FusedMultiplyAdd(t, p, Vector256.Create(C6));
        p = Vector256.FusedMultiplyAdd(t, p, Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(t, p, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(t, p, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(t, p, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(t, p, Vector256.Create(C1));
        p = Vector256.FusedMultiplyAdd(t, p, Vector256.Create(C0));
        var arg = Vector256.Max(Vector256.FusedMultiplyAdd(-z, z, p), Vector256.Create(-100f));
        var erfc = t * VectorExp.Exp(arg);
        var pos = one - erfc;
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), pos, -pos);
    }

    /// <summary>The Vector128 twin of the Vector256 form (ARM64, x64 without AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Vector(Vector128<float> x)
    {
        // MultiplyAddEstimate: fused where the CPU has FMA (every ARM64), a multiply and an add where it has not (VectorExp)
        var z = Vector128.Abs(x);
        var one = Vector128<float>.One;
        var t = one / Vector128.MultiplyAddEstimate(Vector128.Create(0.5f), z, one);
        var p = Vector128.MultiplyAddEstimate(t, Vector128.Create(C9), Vector128.Create(C8));
        p = Vector128.MultiplyAddEstimate(t, p, Vector128.Create(C7));
        p = Vector128.MultiplyAddEstimate(t, p, Vector128.Create(C6));
        p = Vector128.MultiplyAddEstimate(t, p, Vector128.Create(C5));
        p = Vector128.MultiplyAddEstimate(t, p, Vector128.Create(C4));
        p = Vector128.MultiplyAddEstimate(t, p, Vector128.Create(C3));
        p = Vector128.MultiplyAddEstimate(t, p, Vector128.Create(C2));
        p = Vector128.MultiplyAddEstimate(t, p, Vector128.Create(C1));
        p = Vector128.MultiplyAddEstimate(t, p, Vector128.Create(C0));
        var arg = Vector128.Max(Vector128.MultiplyAddEstimate(-z, z, p), Vector128.Create(-100f));
        var erfc = t * VectorExp.Exp(arg);
        var pos = one - erfc;
        return Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(x, Vector128<float>.Zero), pos, -pos);
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
