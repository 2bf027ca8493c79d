using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using AlbertGen.Config;

namespace AlbertGen.Kernels;

/// <summary>
/// In-place activations over a span, Vector256 (else Vector128; GELU's erf Vector512 where AVX-512 is, D49) with an
/// overlapping last vector for the tail (the TensorPrimitives pattern). Formulas follow HF <c>activations.py</c>; <see cref="Naive"/> is the
/// double-precision twin used as test oracle.
/// </summary>
internal static class ActivationKernels
{
    const float Sqrt2OverPi = 0.7978845608028654f;

    public static void Apply(ActivationKind kind, Span<float> x)
    {
        switch (kind)
        {
            case ActivationKind.Linear: return;
            case ActivationKind.GeluTanh: Run<GeluTanhOp>(x); return;
            case ActivationKind.GeluErf: Run512<GeluErfOp>(x); return;
            case ActivationKind.GeluFast: Run<GeluFastOp>(x); return;
            case ActivationKind.QuickGelu: Run<QuickGeluOp>(x); return;
            case ActivationKind.Relu: Run<ReluOp>(x); return;
            case ActivationKind.Silu: Run<SiluOp>(x); return;
            case ActivationKind.Tanh: Run<TanhOp>(x); return;
            case ActivationKind.Sigmoid: Run<SigmoidOp>(x); return;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>Reference: the HF formula evaluated in double precision.</summary>
    public static float Naive(ActivationKind kind, float xf)
    {
        double x = xf;
        return (float)(kind switch
        {
            ActivationKind.Linear => x,
            ActivationKind.GeluTanh => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
            ActivationKind.GeluErf => 0.5 * x * (1 + Erf.Double(x / Math.Sqrt(2))),
            ActivationKind.GeluFast => 0.5 * x * (1 + Math.Tanh(x * 0.7978845608 * (1 + 0.044715 * x * x))),
            ActivationKind.QuickGelu => x / (1 + Math.Exp(-1.702 * x)),
            ActivationKind.Relu => Math.Max(x, 0),
            ActivationKind.Silu => x / (1 + Math.Exp(-x)),
            ActivationKind.Tanh => Math.Tanh(x),
            ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-x)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        });
    }

    interface IOp
    {
        static abstract float Invoke(float x);
        static abstract Vector256<float> Invoke(Vector256<float> x);
        static abstract Vector128<float> Invoke(Vector128<float> x);
    }

    /// <summary>An op with its own Vector512 form (GELU's erf, the activation of every BERT-family FFN; D49).</summary>
    interface IOp512 : IOp
    {
        static abstract Vector512<float> Invoke(Vector512<float> x);
    }

    static void Run<TOp>(Span<float> x) where TOp : IOp
    {
        ref float r = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        if (x.Length == 0) return;
        if (!Vector256.IsHardwareAccelerated || x.Length < 8)
        {
            if (Vector128.IsHardwareAccelerated && x.Length >= 4)
            {
                Run128<TOp>(x);
                return;
            }
            for (int i = 0; i < x.Length; i++) x[i] = TOp.Invoke(x[i]);
            return;
        }
        int n = x.Length, i0 = 0;
        // the last vector overlaps the previous one: compute it from the original values first
        var tail = TOp.Invoke(Vector256.LoadUnsafe(ref r, (nuint)(n - 8)));
        for (; i0 <= n - 16; i0 += 8)
            TOp.Invoke(Vector256.LoadUnsafe(ref r, (nuint)i0)).StoreUnsafe(ref r, (nuint)i0);
        if (i0 < n - 8)
            TOp.Invoke(Vector256.LoadUnsafe(ref r, (nuint)i0)).StoreUnsafe(ref r, (nuint)i0);
        tail.StoreUnsafe(ref r, (nuint)(n - 8));
    }

    /// <summary>
    /// AVX-512 machines: the same overlapping-tail loop, 16 floats a step (half the instructions of the Vector256 loop;
    /// Zen 4 splits each into two 256-bit halves, Zen 5 and Intel run them whole). Narrower spans and other CPUs take
    /// <see cref="Run{TOp}"/>; lane for lane the result is the Vector256 one.
    /// </summary>
    static void Run512<TOp>(Span<float> x) where TOp : IOp512
    {
        if (!Vector512.IsHardwareAccelerated || x.Length < 16)
        {
            Run<TOp>(x);
            return;
        }
        ref float r = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        int n = x.Length, i0 = 0;
        var tail = TOp.Invoke(Vector512.LoadUnsafe(ref r, (nuint)(n - 16)));
        for (; i0 <= n - 32; i0 += 16)
            TOp.Invoke(Vector512.LoadUnsafe(ref r, (nuint)i0)).StoreUnsafe(ref r, (nuint)i0);
        if (i0 < n - 16)
            TOp.Invoke(Vector512.LoadUnsafe(ref r, (nuint)i0)).StoreUnsafe(ref r, (nuint)i0);
        tail.StoreUnsafe(ref r, (nuint)(n - 16));
    }

    /// <summary>The Vector128 family (ARM64, x64 without AVX2): the same overlapping-tail loop, 4 floats a step.</summary>
    static void Run128<TOp>(Span<float> x) where TOp : IOp
    {
        ref float r = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        int n = x.Length, i0 = 0;
        var tail = TOp.Invoke(Vector128.LoadUnsafe(ref r, (nuint)(n - 4)));
        for (; i0 <= n - 8; i0 += 4)
            TOp.Invoke(Vector128.LoadUnsafe(ref r, (nuint)i0)).StoreUnsafe(ref r, (nuint)i0);
        if (i0 < n - 4)
            TOp.Invoke(Vector128.LoadUnsafe(ref r, (nuint)i0)).StoreUnsafe(ref r, (nuint)i0);
        tail.StoreUnsafe(ref r, (nuint)(n - 4));
    }

    // tanh(u) = 1 - 2 / (exp(2u) + 1); clamp u so exp stays finite (tanh is ±1 to float precision beyond |u| > 9).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> TanhV(Vector256<float> u)
    {
        u = Vector256.Min(Vector256.Max(u, Vector256.Create(-9f)), Vector256.Create(9f));
        var e = VectorExp.Exp(u + u);
        return Vector256<float>.One - Vector256.Create(2f) / (e + Vector256<float>.One);
    }

    /// <summary>1 / (1 + e⁻ˣ); far left e⁻ˣ saturates at e⁸⁸, giving ≈ 6e-39 rather than 0 (a product with it stays finite).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> SigmoidV(Vector256<float> x) =>
        Vector256<float>.One / (Vector256<float>.One + VectorExp.Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> TanhV(Vector128<float> u)
    {
        u = Vector128.Min(Vector128.Max(u, Vector128.Create(-9f)), Vector128.Create(9f));
        var e = VectorExp.Exp(u + u);
        return Vector128<float>.One - Vector128.Create(2f) / (e + Vector128<float>.One);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> SigmoidV(Vector128<float> x) =>
        Vector128<float>.One / (Vector128<float>.One + VectorExp.Exp(-x));

    // GELU's ½x(1 + tanh u) is computed as x·σ(2u), the same function: no 1 + tanh cancellation on the left tail.
    readonly struct GeluTanhOp : IOp
    {
        public static float Invoke(float x) => 0.5f * x * (1f + MathF.Tanh(Sqrt2OverPi * (x + 0.044715f * x * x * x)));
        public static Vector256<float> Invoke(Vector256<float> x)
        {
            var u = Vector256.Create(2 * Sqrt2OverPi) * Vector256.FusedMultiplyAdd(Vector256.Create(0.044715f) * x * x, x, x);
            return x * SigmoidV(u);
        }
        public static Vector128<float> Invoke(Vector128<float> x)
        {
            var u = Vector128.Create(2 * Sqrt2OverPi) * Vector128.MultiplyAddEstimate(Vector128.Create(0.044715f) * x * x, x, x);
            return x * SigmoidV(u);
        }
    }

    readonly struct GeluFastOp : IOp
    {
        public static float Invoke(float x) => 0.5f * x * (1f + MathF.Tanh(x * 0.7978845608f * (1f + 0.044715f * x * x)));
        public static Vector256<float> Invoke(Vector256<float> x)
        {
            var u = x * Vector256.Create(2 * 0.7978845608f) * (Vector256<float>.One + Vector256.Create(0.044715f) * x * x);
            return x * SigmoidV(u);
        }
        public static Vector128<float> Invoke(Vector128<float> x)
        {
            var u = x * Vector128.Create(2 * 0.7978845608f) * (Vector128<float>.One + Vector128.Create(0.044715f) * x * x);
            return x * SigmoidV(u);
        }
    }

    readonly struct GeluErfOp : IOp512
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x) =>
            Vector512.Create(0.5f) * x * (Vector512<float>.One + Erf.Vector(x * Vector512.Create(0.70710678118654752f)));
        public static float Invoke(float x) => 0.5f * x * (1f + Erf.Single(x * 0.70710678118654752f));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x) =>
            Vector256.Create(0.5f) * x * (Vector256<float>.One + Erf.Vector(x * Vector256.Create(0.70710678118654752f)));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x) =>
            Vector128.Create(0.5f) * x * (Vector128<float>.One + Erf.Vector(x * Vector128.Create(0.70710678118654752f)));
    }

    readonly struct QuickGeluOp : IOp
    {
        public static float Invoke(float x) => x / (1f + MathF.Exp(-1.702f * x));
        public static Vector256<float> Invoke(Vector256<float> x) => x * SigmoidV(Vector256.Create(1.702f) * x);
        public static Vector128<float> Invoke(Vector128<float> x) => x * SigmoidV(Vector128.Create(1.702f) * x);
    }

    readonly struct ReluOp : IOp
    {
        public static float Invoke(float x) => MathF.Max(x, 0f);
        public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);
        public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Max(x, Vector128<float>.Zero);
    }

    readonly struct SiluOp : IOp
    {
        public static float Invoke(float x) => x / (1f + MathF.Exp(-x));
        public static Vector256<float> Invoke(Vector256<float> x) => x * SigmoidV(x);
        public static Vector128<float> Invoke(Vector128<float> x) => x * SigmoidV(x);
    }

    readonly struct TanhOp : IOp
    {
        public static float Invoke(float x) => MathF.Tanh(x);
        public static Vector256<float> Invoke(Vector256<float> x) => TanhV(x);
        public static Vector128<float> Invoke(Vector128<float> x) => TanhV(x);
    }

    readonly struct SigmoidOp : IOp
    {
        public static float Invoke(float x) => 1f / (1f + MathF.Exp(-x));
        public static Vector256<float> Invoke(Vector256<float> x) => SigmoidV(x);
        public static Vector128<float> Invoke(Vector128<float> x) => SigmoidV(x);
    }
}
