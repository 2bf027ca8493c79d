namespace AlbertGen.SafeTensors;

/// <summary>
/// One tensor of a weights file: name, dtype (safetensors' names), shape and a byte range: for a safetensors file the
/// tensor's bytes inside the data area; for a <c>pytorch_model.bin</c> the bytes its elements span inside its storage
/// (more than element count × size for a strided view).
/// </summary>
public sealed record TensorEntry(string Name, string DTypeName, int[] Shape, long Begin, long End)
{
    public SafeTensorsDType DType => SafeTensorsDTypes.Parse(DTypeName);
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteLength => End - Begin;
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
