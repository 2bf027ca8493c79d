using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Modules;

/// <summary>
/// Mixed precision by hand, with the semantics of PyTorch's <c>torch.autocast</c> (TorchSharp 0.107 has none): inside
/// <see cref="Enter"/> with a low-precision type (bfloat16), every <c>Linear</c> and the attention matmuls cast their
/// operands to it, run there, and hand float32 back; parameters, optimiser state, LayerNorm, softmax, GELU and the losses
/// stay float32 (gradients reach the float32 master weights through the casts). Thread-local, as autocast is.
/// </summary>
public static class Autocast
{
    [ThreadStatic] static ScalarType? t_dtype;

    /// <summary>The compute type in effect on this thread (null: float32 everywhere).</summary>
    public static ScalarType? Current => t_dtype;

    /// <summary>Sets the compute type for this thread until the result is disposed (null: plain float32).</summary>
    public static IDisposable Enter(ScalarType? dtype)
    {
        var previous = t_dtype;
        t_dtype = dtype;
        return new Restore(previous);
    }

    /// <summary><paramref name="layer"/> applied to <paramref name="x"/>, in the autocast type when one is set.</summary>
    public static Tensor Linear(Linear layer, Tensor x)
    {
        if (t_dtype is not { } d) return layer.forward(x);
        using var scope = NewDisposeScope();
        return nn.functional.linear(x.to(d), layer.weight!.to(d), layer.bias?.to(d)).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary><c>matmul(a, b)</c>, in the autocast type when one is set.</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (t_dtype is not { } d) return matmul(a, b);
        using var scope = NewDisposeScope();
        return matmul(a.to(d), b.to(d)).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    sealed class Restore(ScalarType? previous) : IDisposable
    {
        public void Dispose() => t_dtype = previous;
    }
}
