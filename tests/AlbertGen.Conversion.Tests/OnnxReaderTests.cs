using AlbertGen.Tests;

namespace AlbertGen.Conversion.Tests;

/// <summary>The ONNX protobuf reader on malformed input: every case one <see cref="OnnxException"/> naming the problem, never a crash, hang or garbage.</summary>
public sealed class OnnxReaderTests
{
    static byte[] Model => File.ReadAllBytes(Path.Combine(Fixtures.Dir("bert/onnx"), "model.onnx"));

    [Fact]
    public void ReadsTheExportedGraph()
    {
        var g = OnnxGraph.Parse(Model);
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], g.Inputs);
        Assert.Equal(["last_hidden_state", "pooler_output"], g.Outputs);
        var word = g.Initializers["embeddings.word_embeddings.weight"];
        Assert.Equal([40L, 32L], word.Dims);
        Assert.Equal(40 * 32, word.Floats!.Length);
        Assert.Contains(g.Nodes, n => n.OpType == "MatMul");
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void TruncatedFileIsNamed(double fraction)
    {
        var bytes = Model;
        var e = Assert.Throws<OnnxException>(() => OnnxGraph.Parse(bytes.AsSpan(0, (int)(bytes.Length * fraction))));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyFileHasNoGraph() =>
        Assert.Contains("no graph", Assert.Throws<OnnxException>(() => OnnxGraph.Parse([])).Message, StringComparison.Ordinal);

    [Fact]
    public void NotProtobufIsRefused()
    {
        var e = Assert.Throws<OnnxException>(() => OnnxGraph.Parse("{\"not\": \"onnx\"}"u8));
        Assert.Contains("ONNX", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphWithWrongWireTypeIsNamed()
    {
        var e = Assert.Throws<OnnxException>(() => OnnxGraph.Parse([0x38, 0x01])); // field 7 (graph) as a varint
        Assert.Contains("ModelProto.graph has wire type 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RawDataOfTheWrongSizeIsNamed()
    {
        var tensor = Proto.Concat(Proto.Varint(1, 2), Proto.Varint(1, 3), Proto.Varint(2, 1), Proto.Bytes(8, "w"u8), Proto.Bytes(9, new byte[20]));
        var e = Assert.Throws<OnnxException>(() => OnnxGraph.Parse(ModelWith(tensor)));
        Assert.Contains("tensor 'w' (2×3 FLOAT) has 20 bytes of raw_data, 24 expected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FloatDataOfTheWrongCountIsNamed()
    {
        var tensor = Proto.Concat(Proto.Varint(1, 2), Proto.Varint(2, 1), Proto.Bytes(8, "b"u8), Proto.Bytes(4, new byte[4]));
        var e = Assert.Throws<OnnxException>(() => OnnxGraph.Parse(ModelWith(tensor)));
        Assert.Contains("1 float_data values, 2 expected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalDataIsRefused()
    {
        var tensor = Proto.Concat(Proto.Varint(1, 2), Proto.Varint(2, 1), Proto.Bytes(8, "x"u8), Proto.Varint(14, 1));
        var e = Assert.Throws<OnnxException>(() => OnnxGraph.Parse(ModelWith(tensor)));
        Assert.Contains("external file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeDimensionIsRefused()
    {
        var tensor = Proto.Concat(Proto.Varint(1, 1L << 40), Proto.Varint(2, 1), Proto.Bytes(8, "h"u8));
        var e = Assert.Throws<OnnxException>(() => OnnxGraph.Parse(ModelWith(tensor)));
        Assert.Contains("tensor 'h' has dimension", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeWithoutOpTypeIsNamed()
    {
        var node = Proto.Concat(Proto.Bytes(1, "a"u8), Proto.Bytes(3, "n0"u8));
        var graph = Proto.Bytes(1, node);
        var e = Assert.Throws<OnnxException>(() => OnnxGraph.Parse(Proto.Bytes(7, graph)));
        Assert.Contains("node 'n0' has no op_type", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8NameIsRefused()
    {
        var tensor = Proto.Concat(Proto.Varint(2, 1), Proto.Bytes(8, [0xC3, 0x28]));
        var e = Assert.Throws<OnnxException>(() => OnnxGraph.Parse(ModelWith(tensor)));
        Assert.Contains("not UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonBertGraphIsRefusedByTheConverter()
    {
        var tensor = Proto.Concat(Proto.Varint(1, 1), Proto.Varint(2, 1), Proto.Bytes(8, "w"u8), Proto.Bytes(9, new byte[4]));
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("model.onnx"), ModelWith(tensor));
        var e = Assert.Throws<OnnxException>(() => BertToAlbert.Convert(tmp.File("model.onnx"), tmp.File("out")));
        Assert.Contains("embeddings.word_embeddings.weight", e.Message, StringComparison.Ordinal);
        Assert.Contains("model.onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptFileErrorNamesTheFile()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("model.onnx"), Model.AsSpan(0, 1000).ToArray());
        var e = Assert.Throws<OnnxException>(() => BertToAlbert.Convert(tmp.File("model.onnx"), tmp.File("out")));
        Assert.Contains(tmp.File("model.onnx"), e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    static byte[] ModelWith(byte[] initializer) => Proto.Bytes(7, Proto.Bytes(5, initializer));

    /// <summary>Protobuf wire-format pieces for hand-made inputs.</summary>
    static class Proto
    {
        public static byte[] Varint(int field, long value) => [.. Tag(field, 0), .. Var((ulong)value)];

        public static byte[] Bytes(int field, ReadOnlySpan<byte> data) => [.. Tag(field, 2), .. Var((ulong)data.Length), .. data];

        public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

        static byte[] Tag(int field, int wire) => Var((ulong)(field << 3 | wire));

        static byte[] Var(ulong v)
        {
            var list = new List<byte>();
            do
            {
                byte b = (byte)(v & 0x7F);
                v >>= 7;
                list.Add(v != 0 ? (byte)(b | 0x80) : b);
            } while (v != 0);
            return list.ToArray();
        }
    }
}
