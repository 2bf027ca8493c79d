namespace AlbertGen.Conversion;

/// <summary>
/// The parts of an ONNX <c>ModelProto</c> a weight converter needs: the main graph's nodes, initializers, input and
/// output names. Read with a small hand-written protobuf reader (field numbers from onnx.proto); unknown fields are
/// skipped, malformed input (truncated fields, wrong wire types, tensors whose data do not match their dims, external
/// data) throws <see cref="OnnxException"/> naming the problem.
/// </summary>
public sealed class OnnxGraph
{
    public required IReadOnlyList<OnnxNode> Nodes { get; init; }

    public required IReadOnlyDictionary<string, OnnxTensor> Initializers { get; init; }

    public required IReadOnlyList<string> Inputs { get; init; }

    public required IReadOnlyList<string> Outputs { get; init; }

    /// <summary>Reads <paramref name="path"/>; errors name the file.</summary>
    public static OnnxGraph Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OnnxException($"cannot read ONNX model '{path}': {e.Message}", e);
        }
        try
        {
            return Parse(bytes);
        }
        catch (OnnxException e)
        {
            throw new OnnxException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Parses a serialized <c>ModelProto</c>.</summary>
    public static OnnxGraph Parse(ReadOnlySpan<byte> data)
    {
        var r = new OnnxWireReader(data);
        OnnxGraph? graph = null;
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 7)
            {
                OnnxWireReader.Expect(wire, 2, "ModelProto.graph");
                graph = ParseGraph(r.ReadBytes());
            }
            else
            {
                r.Skip(wire);
            }
        }
        return graph ?? throw new OnnxException("not an ONNX model (no graph)");
    }

    static OnnxGraph ParseGraph(ReadOnlySpan<byte> data)
    {
        var r = new OnnxWireReader(data);
        var nodes = new List<OnnxNode>();
        var inits = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var inputs = new List<string>();
        var outputs = new List<string>();
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1:
                    OnnxWireReader.Expect(wire, 2, "GraphProto.node");
                    nodes.Add(ParseNode(r.ReadBytes()));
                    break;
                case 5:
                {
                    OnnxWireReader.Expect(wire, 2, "GraphProto.initializer");
                    var t = ParseTensor(r.ReadBytes());
                    if (!inits.TryAdd(t.Name, t))
                        throw new OnnxException($"initializer '{t.Name}' appears twice");
                    break;
                }
                case 11:
                case 12:
                {
                    OnnxWireReader.Expect(wire, 2, "GraphProto.input/output");
                    string name = ParseValueInfoName(r.ReadBytes());
                    (field == 11 ? inputs : outputs).Add(name);
                    break;
                }
                default:
                    r.Skip(wire);
                    break;
            }
        }
        return new OnnxGraph { Nodes = nodes, Initializers = inits, Inputs = inputs, Outputs = outputs };
    }

    static string ParseValueInfoName(ReadOnlySpan<byte> data)
    {
        var r = new OnnxWireReader(data);
        string name = "";
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1)
            {
                OnnxWireReader.Expect(wire, 2, "ValueInfoProto.name");
                name = r.ReadString();
            }
            else
            {
                r.Skip(wire);
            }
        }
        return name;
    }

    static OnnxNode ParseNode(ReadOnlySpan<byte> data)
    {
        var r = new OnnxWireReader(data);
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = "", op = "";
        var attrs = new List<(string Name, float? F, long? I, OnnxTensor? T)>();
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: OnnxWireReader.Expect(wire, 2, "NodeProto.input"); inputs.Add(r.ReadString()); break;
                case 2: OnnxWireReader.Expect(wire, 2, "NodeProto.output"); outputs.Add(r.ReadString()); break;
                case 3: OnnxWireReader.Expect(wire, 2, "NodeProto.name"); name = r.ReadString(); break;
                case 4: OnnxWireReader.Expect(wire, 2, "NodeProto.op_type"); op = r.ReadString(); break;
                case 5: OnnxWireReader.Expect(wire, 2, "NodeProto.attribute"); attrs.Add(ParseAttribute(r.ReadBytes())); break;
                default: r.Skip(wire); break;
            }
        }
        if (op.Length == 0)
            throw new OnnxException($"node '{name}' has no op_type");
        var node = new OnnxNode { Name = name, OpType = op, Inputs = inputs, Outputs = outputs };
        foreach (var a in attrs)
        {
            if (a.F is { } f) node.FloatAttributes[a.Name] = f;
            if (a.I is { } i) node.IntAttributes[a.Name] = i;
            if (a.T is { } t) node.TensorAttributes[a.Name] = t;
        }
        return node;
    }

    static (string, float?, long?, OnnxTensor?) ParseAttribute(ReadOnlySpan<byte> data)
    {
        var r = new OnnxWireReader(data);
        string name = "";
        float? f = null;
        long? i = null;
        OnnxTensor? t = null;
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: OnnxWireReader.Expect(wire, 2, "AttributeProto.name"); name = r.ReadString(); break;
                case 2: OnnxWireReader.Expect(wire, 5, "AttributeProto.f"); f = r.ReadFixed32Float(); break;
                case 3: OnnxWireReader.Expect(wire, 0, "AttributeProto.i"); i = (long)r.ReadVarint(); break;
                case 5: OnnxWireReader.Expect(wire, 2, "AttributeProto.t"); t = ParseTensor(r.ReadBytes()); break;
                default: r.Skip(wire); break;
            }
        }
        return (name, f, i, t);
    }

    /// <summary>Largest tensor the reader accepts (elements): a .NET array's limit.</summary>
    const long MaxElements = int.MaxValue / 8;

    static OnnxTensor ParseTensor(ReadOnlySpan<byte> data)
    {
        var r = new OnnxWireReader(data);
        var dims = new List<long>();
        var floats = new List<float>();
        var ints = new List<long>();
        int dataType = 0;
        string name = "";
        ReadOnlySpan<byte> raw = default;
        bool hasRaw = false, external = false;
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: r.ReadInt64s(wire, dims); break;
                case 2: OnnxWireReader.Expect(wire, 0, "TensorProto.data_type"); dataType = checked((int)r.ReadVarint()); break;
                case 4: r.ReadFloats(wire, floats); break;
                case 7: r.ReadInt64s(wire, ints); break;
                case 8: OnnxWireReader.Expect(wire, 2, "TensorProto.name"); name = r.ReadString(); break;
                case 9: OnnxWireReader.Expect(wire, 2, "TensorProto.raw_data"); raw = r.ReadBytes(); hasRaw = true; break;
                case 13: external = true; r.Skip(wire); break;
                case 14: OnnxWireReader.Expect(wire, 0, "TensorProto.data_location"); external |= r.ReadVarint() == 1; break;
                default: r.Skip(wire); break;
            }
        }
        string label = name.Length > 0 ? $"tensor '{name}'" : "an unnamed tensor";
        if (external)
            throw new OnnxException($"{label} keeps its data in an external file; only self-contained .onnx files are read");
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0 || d > MaxElements)
                throw new OnnxException($"{label} has dimension {d}");
            count *= d;
            if (count > MaxElements)
                throw new OnnxException($"{label} has more than {MaxElements} elements");
        }
        float[]? f = null;
        long[]? l = null;
        if (dataType == OnnxTensor.Float)
        {
            if (hasRaw)
            {
                if (raw.Length != count * 4)
                    throw new OnnxException($"{label} ({string.Join("×", dims)} FLOAT) has {raw.Length} bytes of raw_data, {count * 4} expected");
                f = new float[count];
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).CopyTo(f);
                if (!BitConverter.IsLittleEndian)
                    throw new PlatformNotSupportedException("big-endian hosts");
            }
            else
            {
                if (floats.Count != count)
                    throw new OnnxException($"{label} ({string.Join("×", dims)} FLOAT) has {floats.Count} float_data values, {count} expected");
                f = floats.ToArray();
            }
        }
        else if (dataType == OnnxTensor.Int64)
        {
            if (hasRaw)
            {
                if (raw.Length != count * 8)
                    throw new OnnxException($"{label} ({string.Join("×", dims)} INT64) has {raw.Length} bytes of raw_data, {count * 8} expected");
                l = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(raw).ToArray();
            }
            else
            {
                if (ints.Count != count)
                    throw new OnnxException($"{label} ({string.Join("×", dims)} INT64) has {ints.Count} int64_data values, {count} expected");
                l = ints.ToArray();
            }
        }
        else if (dataType <= 0)
        {
            throw new OnnxException($"{label} has no data_type");
        }
        return new OnnxTensor { Name = name, Dims = dims.ToArray(), DataType = dataType, Floats = f, Int64s = l };
    }
}
