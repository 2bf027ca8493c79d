namespace AlbertGen.Conversion;

/// <summary>An ONNX file that is not a well-formed <c>ModelProto</c>, or a graph the BERT converter cannot map; the message names the file and the problem.</summary>
public sealed class OnnxException : Exception
{
    public OnnxException(string message) : base(message) { }

    public OnnxException(string message, Exception inner) : base(message, inner) { }
}
