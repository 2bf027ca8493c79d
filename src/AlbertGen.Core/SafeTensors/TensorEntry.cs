namespace AlbertGen.SafeTensors;

/// <summary>One tensor of a safetensors header: name, dtype, shape and the byte range inside the data area.</summary>
public sealed record TensorEntry(string Name, string DTypeName, int[] Shape, long Begin, long End)
{
    public SafeTensorsDType DType => SafeTensorsDTypes.Parse(DTypeName);
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteLength => End - Begin;
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
