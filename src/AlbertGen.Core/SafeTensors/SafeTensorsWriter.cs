using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using AlbertGen.IO;

namespace AlbertGen.SafeTensors;

/// <summary>
/// Writes float32 tensors (and, through <see cref="WriteRaw"/>, any dtype's bytes) in safetensors format, atomically (<see cref="AtomicFile"/>: a temporary file beside the
/// target, flushed, then renamed over it), so a reader never sees a half-written file.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>One tensor to write: HF name, shape, float32 data (row-major).</summary>
    public readonly record struct Tensor(string Name, int[] Shape, ReadOnlyMemory<float> Data);

    /// <summary>One tensor as raw little-endian bytes of a safetensors dtype (<c>I8</c>, <c>F32</c>, …).</summary>
    public readonly record struct RawTensor(string Name, string DType, int[] Shape, ReadOnlyMemory<byte> Data);

    /// <summary>What is written: a float32 tensor's elements (not copied) or another dtype's bytes.</summary>
    readonly record struct Entry(string Name, string DType, int[] Shape, ReadOnlyMemory<float> Floats, ReadOnlyMemory<byte> Bytes)
    {
        public long DataLength => DType == "F32" && Bytes.IsEmpty ? Floats.Length * 4L : Bytes.Length;
    }

    public static void Write(string path, IEnumerable<Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        WriteEntries(path, tensors.Select(t => new Entry(t.Name, "F32", t.Shape, t.Data, default)).ToList(), metadata);

    /// <summary>Writes tensors given as bytes of their dtype (sizes checked against shape × element size), atomically.</summary>
    public static void WriteRaw(string path, IEnumerable<RawTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        WriteEntries(path, tensors.Select(t => new Entry(t.Name, t.DType, t.Shape, default, t.Data)).ToList(), metadata);

    static void WriteEntries(string path, List<Entry> list, IReadOnlyDictionary<string, string>? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in list)
        {
            if (!names.Add(t.Name))
                throw new ArgumentException($"tensor '{t.Name}' is given twice");
            int size = SafeTensorsDTypes.SizeOf(t.DType);
            if (size == 0)
                throw new ArgumentException($"tensor '{t.Name}': unknown dtype '{t.DType}'");
            long n = t.Shape.Aggregate(1L, (a, b) => a * b);
            if (n * size != t.DataLength)
                throw new ArgumentException($"tensor '{t.Name}': shape [{string.Join(", ", t.Shape)}] has {n} {t.DType} elements, the data has {t.DataLength / size}");
        }
        // HF writes tensors sorted by name; offsets follow that order.
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        byte[] header = BuildHeader(list, metadata);

        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors writing needs a little-endian machine");
        AtomicFile.Write(path, fs =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            fs.Write(len);
            fs.Write(header);
            foreach (var t in list)
                fs.Write(t.Bytes.IsEmpty ? MemoryMarshal.AsBytes(t.Floats.Span) : t.Bytes.Span);
        });
    }

    static byte[] BuildHeader(List<Entry> list, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var kv in metadata.OrderBy(k => k.Key, StringComparer.Ordinal)) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in list)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType);
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                long bytes = t.DataLength;
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        // pad the header with spaces to a multiple of 8 so the data area is aligned (as HF's writer does)
        int pad = (int)((8 - ms.Length % 8) % 8);
        for (int i = 0; i < pad; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }
}
