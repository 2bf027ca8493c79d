using AlbertGen.Config;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Modules;

/// <summary>HF <c>ACT2FN</c> for the activations <see cref="ActivationKind"/> names, written as HF's formulas.</summary>
public static class Activation
{
    const double SqrtTwoOverPi = 0.7978845608028654; // √(2/π)

    public static Tensor Apply(ActivationKind kind, Tensor x) => kind switch
    {
        // gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
        ActivationKind.GeluTanh => 0.5 * x * (1.0 + tanh(SqrtTwoOverPi * (x + 0.044715 * pow(x, 3.0)))),
        ActivationKind.GeluErf => nn.functional.gelu(x),
        // gelu_fast: 0.5·x·(1 + tanh(x·0.7978845608·(1 + 0.044715·x²)))
        ActivationKind.GeluFast => 0.5 * x * (1.0 + tanh(x * 0.7978845608 * (1.0 + 0.044715 * x * x))),
        ActivationKind.QuickGelu => x * sigmoid(1.702 * x),
        ActivationKind.Relu => nn.functional.relu(x),
        ActivationKind.Silu => nn.functional.silu(x),
        ActivationKind.Tanh => tanh(x),
        ActivationKind.Sigmoid => sigmoid(x),
        ActivationKind.Linear => x.alias(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown activation"),
    };
}
