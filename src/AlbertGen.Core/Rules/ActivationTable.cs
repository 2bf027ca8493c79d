// Shared ALBERT rules (see AlbertDefaults.cs): compiled into Core and linked into the generator.
namespace AlbertGen.Rules;

/// <summary>HF <c>hidden_act</c> names we implement (<c>ACT2FN</c> keys) → member name of <c>AlbertGen.Config.ActivationKind</c>.</summary>
internal static class ActivationTable
{
    /// <summary>Every accepted <c>hidden_act</c>, in the order error messages list them.</summary>
    public static readonly (string HfName, string Kind)[] Rows =
    {
        ("gelu_new", "GeluTanh"),
        ("gelu_pytorch_tanh", "GeluTanh"),
        ("gelu_python_tanh", "GeluTanh"),
        ("gelu_accurate", "GeluTanh"),
        ("gelu", "GeluErf"),
        ("gelu_python", "GeluErf"),
        ("gelu_fast", "GeluFast"),
        ("quick_gelu", "QuickGelu"),
        ("relu", "Relu"),
        ("silu", "Silu"),
        ("swish", "Silu"),
        ("tanh", "Tanh"),
        ("sigmoid", "Sigmoid"),
        ("linear", "Linear"),
    };

    /// <summary>The <c>ActivationKind</c> member for <paramref name="hfName"/>, or null when we do not implement it.</summary>
    public static string? KindOf(string hfName)
    {
        foreach (var (name, kind) in Rows)
        {
            if (name == hfName)
                return kind;
        }
        return null;
    }

    /// <summary>The accepted names, comma-separated (for error messages).</summary>
    public static string KnownNames()
    {
        var names = new string[Rows.Length];
        for (int i = 0; i < names.Length; i++)
            names[i] = Rows[i].HfName;
        return string.Join(", ", names);
    }
}
