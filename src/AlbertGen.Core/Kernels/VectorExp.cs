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
        return ExpInRange(x) & ~underflow.AsSingle();
    }

    /// <summary>
    /// <see cref="Exp(Vector256{float})"/> for x already in [−87.33, 88] (no clamps, no underflow select; bit-identical
    /// there): erf's exp(−(a + a·B(a))) has −16 ≤ x &lt; 0 (D47). n = round(x·log₂e) by adding 1.5·2²³, whose float has
    /// an ulp of 1 (round half to even as <c>Vector256.Round</c>; the constant is even, so ties go the same way), and
    /// 2ⁿ from that sum's low bits: a float add and an integer add where Round, a conversion and an add were.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpInRange(Vector256<float> x)
    {
        var t = x * Vector256.Create(Log2E) + Vector256.Create(RoundingShift);
        var n = t - Vector256.Create(RoundingShift);
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
        // t's bits are those of 1.5·2²³ plus n in the low mantissa bits; the constant's low 9 bits are zero, so
        // (bits + 127) << 23 is (n + 127) << 23, the float 2ⁿ, for −126 ≤ n ≤ 127
        var scale = Vector256.ShiftLeft(t.AsInt32() + Vector256.Create(127), 23).AsSingle();
        return e * scale;
    }

    /// <summary>
    /// The Vector512 twin of <see cref="ExpInRange(Vector256{float})"/> (x64 with AVX-512): the same operations in the
    /// same order, so each lane is bit-identical to the Vector256 form's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpInRange(Vector512<float> x)
    {
        var t = x * Vector512.Create(Log2E) + Vector512.Create(RoundingShift);
        var n = t - Vector512.Create(RoundingShift);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.Create(1.9875691500e-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        var e = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        var scale = Vector512.ShiftLeft(t.AsInt32() + Vector512.Create(127), 23).AsSingle();
        return e * scale;
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
        return ExpInRange(x) & ~underflow.AsSingle();
    }

    /// <summary>The Vector128 twin of <see cref="ExpInRange(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ExpInRange(Vector128<float> x)
    {
        var t = x * Vector128.Create(Log2E) + Vector128.Create(RoundingShift);
        var n = t - Vector128.Create(RoundingShift);
        var r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-0.693359375f), x);
        r = Vector128.MultiplyAddEstimate(n, Vector128.Create(2.12194440e-4f), r);
        var p = Vector128.Create(1.9875691500e-4f);
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(1.3981999507e-3f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(8.3334519073e-3f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(4.1665795894e-2f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(1.6666665459e-1f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(5.0000001201e-1f));
        var e = Vector128.MultiplyAddEstimate(p, r * r, r) + Vector128<float>.One;
        var scale = Vector128.ShiftLeft(t.AsInt32() + Vector128.Create(127), 23).AsSingle();
        return e * scale;
    }

    /// <summary>ln of the smallest normal float: 2ⁿ with n = −126 is still a normal number.</summary>
    const float MinArgument = -87.33654f;
    const float Log2E = 1.44269504088896341f;
    /// <summary>1.5·2²³: adding it rounds a float of magnitude &lt; 2²² to an integer (its ulp is 1).</summary>
    const float RoundingShift = 12582912f;
}
