using AlbertGen.Rules;

namespace AlbertGen.Config;

/// <summary>The activation functions HF's <c>ACT2FN</c> maps ALBERT's <c>hidden_act</c> to (the ones we implement).</summary>
public enum ActivationKind
{
    /// <summary><c>gelu_new</c>, <c>gelu_pytorch_tanh</c>, <c>gelu_accurate</c>: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    GeluTanh,
    /// <summary><c>gelu</c>, <c>gelu_python</c>: exact x·Φ(x) with erf.</summary>
    GeluErf,
    /// <summary><c>gelu_fast</c>: 0.5·x·(1 + tanh(0.7978845608·x·(1 + 0.044715·x²))).</summary>
    GeluFast,
    /// <summary><c>quick_gelu</c>: x·σ(1.702·x).</summary>
    QuickGelu,
    Relu,
    /// <summary><c>silu</c>, <c>swish</c>: x·σ(x).</summary>
    Silu,
    Tanh,
    Sigmoid,
    /// <summary><c>linear</c>: identity.</summary>
    Linear,
}

/// <summary>Maps HF <c>hidden_act</c> strings to <see cref="ActivationKind"/> (the table is <c>Rules/ActivationTable.cs</c>, shared with the generator).</summary>
public static class Activations
{
    /// <summary>Every <c>hidden_act</c> value we accept, with its kind.</summary>
    public static readonly IReadOnlyDictionary<string, ActivationKind> ByName = Build();

    public static bool TryParse(string name, out ActivationKind kind) => ByName.TryGetValue(name, out kind);

    static Dictionary<string, ActivationKind> Build()
    {
        var byName = new Dictionary<string, ActivationKind>(StringComparer.Ordinal);
        foreach (var (name, kind) in ActivationTable.Rows)
            byName[name] = Enum.Parse<ActivationKind>(kind);
        return byName;
    }
}
