using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AlbertGen.Kernels;

/// <summary>
/// exp for Vector256 and Vector128 of float in single precision: Cody–Waite reduction x = n·ln 2 + r (|r| ≤ ln 2 / 2), Cephes'
/// degree-7 minimax polynomial for eʳ, and 2ⁿ built in the exponent bits. Relative error ≤ 2 ulp (tested against
/// double). Results below the smallest normal float (x &lt; −87.34, −∞ included) are 0, as a masked softmax score needs;
/// x &gt; 88 gives e⁸⁸ ≈ 1.7e38 (finite, so 1 / (1 + eˣ) is a tiny number, not NaN). .NET's <c>Vector256.Exp</c>
/// widens to double for the same accuracy, about twice the work.
/// </summary>
internal static class VectorExp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var underflow = Vector256.LessThan(x, Vector256.Create(MinArgument));
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(MinArgument)), Vector256.Create(88f));
        var n = Vector256.Round(x * Vector256.Create(1.44269504088896341f));
        // ln 2 = 0.693359375 − 2.12194440e-4: the first part is exact in 9 bits, so n·C1 is exact
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-0.693359375f), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(2.12194440e-4f), r);
        var p = Vector256.Create(1.9875691500e-4f);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        var e = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
        return Vector256.ConditionalSelect(underflow, Vector256<float>.Zero, e * scale);
    }

    /// <summary>
    /// The same algorithm on Vector128 (ARM64 NEON, x64 without AVX2). Multiply-adds go through
    /// <c>MultiplyAddEstimate</c>: fused where the CPU has FMA (every ARM64), a multiply and an add where it has not
    /// (x64 without AVX2, where .NET 10 also disables FMA and <c>Vector128.FusedMultiplyAdd</c> would be emulated
    /// element by element, ~50× slower). n·C1 is exact either way, so the reduction keeps its accuracy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        var underflow = Vector128.LessThan(x, Vector128.Create(MinArgument));
        x = Vector128.Min(Vector128.Max(x, Vector128.Create(MinArgument)), Vector128.Create(88f));
        var n = Vector128.Round(x * Vector128.Create(1.44269504088896341f));
        // ln 2 = 0.693359375 − 2.12194440e-4: the first part is exact in 9 bits, so n·C1 is exact
        var r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-0.693359375f), x);
        r = Vector128.MultiplyAddEstimate(n, Vector128.Create(2.12194440e-4f), r);
        var p = Vector128.Create(1.9875691500e-4f);
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(1.3981999507e-3f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(8.3334519073e-3f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(4.1665795894e-2f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(1.6666665459e-1f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(5.0000001201e-1f));
        var e = Vector128.MultiplyAddEstimate(p, r * r, r) + Vector128<float>.One;
        var scale = Vector128.ShiftLeft(Vector128.ConvertToInt32(n) + Vector128.Create(127), 23).AsSingle();
        return Vector128.ConditionalSelect(underflow, Vector128<float>.Zero, e * scale);
    }

    /// <summary>ln of the smallest normal float: 2ⁿ with n = −126 is still a normal number.</summary>
    const float MinArgument = -87.33654f;
}
