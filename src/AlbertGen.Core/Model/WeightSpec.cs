namespace AlbertGen.Model;

/// <summary>One tensor a model needs: its HF state-dict name and shape.</summary>
public sealed record WeightSpec(string Name, int[] Shape)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
