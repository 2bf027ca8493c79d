namespace AlbertGen.Conversion;

/// <summary>An ONNX <c>NodeProto</c>: op type, input and output value names, and the attributes the converter reads (float, int, tensor).</summary>
public sealed class OnnxNode
{
    public required string Name { get; init; }

    public required string OpType { get; init; }

    public required IReadOnlyList<string> Inputs { get; init; }

    public required IReadOnlyList<string> Outputs { get; init; }

    public Dictionary<string, float> FloatAttributes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> IntAttributes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, OnnxTensor> TensorAttributes { get; } = new(StringComparer.Ordinal);
}
