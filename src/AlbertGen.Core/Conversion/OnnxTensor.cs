namespace AlbertGen.Conversion;

/// <summary>
/// An ONNX <c>TensorProto</c> (an initializer or a <c>Constant</c>'s value): name, dims, data type, and its elements
/// when it is FLOAT (<see cref="Floats"/>) or INT64 (<see cref="Int64s"/>); other types keep only their header.
/// </summary>
public sealed class OnnxTensor
{
    public const int Float = 1;
    public const int Int64 = 7;

    public required string Name { get; init; }

    public required long[] Dims { get; init; }

    /// <summary><c>TensorProto.DataType</c>: 1 FLOAT, 7 INT64, 10 FLOAT16, 11 DOUBLE, …</summary>
    public required int DataType { get; init; }

    public float[]? Floats { get; init; }

    public long[]? Int64s { get; init; }

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Dims) n *= d;
            return n;
        }
    }

    public string ShapeText => "[" + string.Join(", ", Dims) + "]";
}
