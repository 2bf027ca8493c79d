using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Kernels;

namespace AlbertGen.Embedded;

/// <summary>
/// Collects a loaded engine's weights as it holds them (<see cref="CpuAlbertModel"/> exports itself) and a model
/// folder's files, then writes them as one packed model image (<see cref="PackedModelFormat"/>).
/// </summary>
internal sealed class PackedModelWriter
{
    readonly List<(string Name, SectionKind Kind, int Rows, int Cols, byte[] Data)> _sections = [];
    readonly HashSet<string> _names = new(StringComparer.Ordinal);

    void Add(string name, SectionKind kind, int rows, int cols, byte[] data)
    {
        if (!_names.Add(name))
            throw new InvalidOperationException($"section '{name}' written twice");
        _sections.Add((name, kind, rows, cols, data));
    }

    public void Tensor(string name, ReadOnlySpan<float> data, int rows, int cols) =>
        Add(name, SectionKind.Float32, rows, cols, MemoryMarshal.AsBytes(data).ToArray());

    public void Vector(string name, ReadOnlySpan<float> data) => Tensor(name, data, data.Length, 1);

    public void Matrix(string name, PackedMatrix m) =>
        Add(name, SectionKind.Float32Panels, m.N, m.K, MemoryMarshal.AsBytes((ReadOnlySpan<float>)m.Data).ToArray());

    public void Linear(string name, LinearWeight w)
    {
        if (w.Float is { } f)
        {
            Matrix(name, f);
            return;
        }
        var q = w.Int8!;
        Add(name, SectionKind.Int8Panels, q.N, q.K, MemoryMarshal.AsBytes((ReadOnlySpan<sbyte>)q.Data).ToArray());
        Vector(name + PackedModelFormat.ScalesSuffix, q.Scales);
    }

    public void File(string name, byte[] data) => Add(PackedModelFormat.FilePrefix + name, SectionKind.Bytes, data.Length, 1, data);

    /// <summary>The image: header, section table, then each section's data on a 64-byte boundary.</summary>
    public byte[] ToArray(AlbertConfig config, AlbertHead head)
    {
        byte[] fingerprint = Encoding.UTF8.GetBytes(PackedModelFormat.Fingerprint(config));
        long header = PackedModelFormat.FixedHeader + fingerprint.Length;
        foreach (var s in _sections)
            header += 4 + Encoding.UTF8.GetByteCount(s.Name) + 4 * 3 + 8 * 2;
        long at = PackedModelFormat.Align(header);
        var offsets = new long[_sections.Count];
        for (int i = 0; i < _sections.Count; i++)
        {
            offsets[i] = at;
            at = PackedModelFormat.Align(at + _sections[i].Data.Length);
        }
        if (at > Array.MaxLength)
            throw new InvalidOperationException($"the packed model would take {at} bytes; more than one image can hold ({Array.MaxLength} bytes)");
        var image = new byte[at];
        var span = image.AsSpan();
        PackedModelFormat.Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], PackedModelFormat.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], PackedModelFormat.Alignment);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], (ulong)at);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)head);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)_sections.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(span[32..], Gemm.NR);
        BinaryPrimitives.WriteUInt32LittleEndian(span[36..], GemmInt8.NR);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)fingerprint.Length);
        fingerprint.CopyTo(span[44..]);
        int p = PackedModelFormat.FixedHeader + fingerprint.Length;
        for (int i = 0; i < _sections.Count; i++)
        {
            var s = _sections[i];
            int nameLength = Encoding.UTF8.GetBytes(s.Name, span[(p + 4)..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[p..], (uint)nameLength);
            p += 4 + nameLength;
            BinaryPrimitives.WriteUInt32LittleEndian(span[p..], (uint)s.Kind);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(p + 4)..], (uint)s.Rows);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(p + 8)..], (uint)s.Cols);
            BinaryPrimitives.WriteUInt64LittleEndian(span[(p + 12)..], (ulong)offsets[i]);
            BinaryPrimitives.WriteUInt64LittleEndian(span[(p + 20)..], (ulong)s.Data.Length);
            p += 28;
            s.Data.CopyTo(span[(int)offsets[i]..]);
        }
        return image;
    }
}
