using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text.Json;
using AlbertGen.Checkpoints;
using AlbertGen.Json;

namespace AlbertGen.SafeTensors;

/// <summary>
/// A memory-mapped, validated safetensors file (https://github.com/huggingface/safetensors, format: 8-byte
/// little-endian header length N, N bytes of JSON header, then the data area). The header is checked before
/// any offset is trusted: length within the file and capped, offsets inside the data area, no overlaps,
/// byte length = product(shape) × dtype size. F32 tensors are served zero-copy from the mapping; F16/BF16 are
/// converted to float32 on request.
/// </summary>
public sealed unsafe partial class SafeTensorsFile : ITensorFile
{
    /// <summary>Largest header we accept (HF's own reader caps it at 100 MB).</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    readonly MemoryMappedFile? _map;
    readonly MemoryMappedViewAccessor? _view;
    readonly byte* _base;
    readonly long _dataStart;
    readonly Dictionary<string, TensorEntry> _entries;
    bool _disposed;

    public string Path { get; }
    public long FileLength { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyCollection<TensorEntry> Tensors => _entries.Values;

    SafeTensorsFile(string path, long length, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePtr,
        long dataStart, Dictionary<string, TensorEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        FileLength = length;
        _map = map;
        _view = view;
        _base = basePtr;
        _dataStart = dataStart;
        _entries = entries;
        Metadata = metadata;
    }

    /// <summary>Maps and validates <paramref name="path"/>. Throws <see cref="SafeTensorsException"/> naming the problem.</summary>
    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"safetensors file not found: {path}", path);
        // the length comes from the opened file (fstat), not the path: symlinks and files replaced meanwhile are fine
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = stream.Length;
        if (length < 8)
        {
            stream.Dispose();
            throw new SafeTensorsException($"{path}: {length} bytes is too short for a safetensors file (needs an 8-byte header length)");
        }
        MemoryMappedFile map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        MemoryMappedViewAccessor? view = null;
        byte* ptr = null;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
            ptr += view.PointerOffset;
            var (entries, metadata, dataStart) = ParseHeader(path, new ReadOnlySpan<byte>(ptr, (int)Math.Min(length, int.MaxValue)), length);
            return new SafeTensorsFile(path, length, map, view, ptr, dataStart, entries, metadata);
        }
        catch
        {
            if (ptr != null) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    static (Dictionary<string, TensorEntry>, Dictionary<string, string>, long) ParseHeader(string path, ReadOnlySpan<byte> file, long length)
    {
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLen > (ulong)MaxHeaderBytes)
            throw new SafeTensorsException($"{path}: header length {headerLen} exceeds the {MaxHeaderBytes}-byte cap");
        if ((long)headerLen > length - 8)
            throw new SafeTensorsException($"{path}: header length {headerLen} runs past the end of the {length}-byte file");
        var header = file.Slice(8, (int)headerLen);
        if (header.IsEmpty || header[0] != (byte)'{')
            throw new SafeTensorsException($"{path}: the header must start with '{{' (is the header length field right?)");
        long dataStart = 8 + (long)headerLen;
        long dataLength = length - dataStart;
        var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var doc = StrictJson.Parse(header.ToArray(), new JsonDocumentOptions { MaxDepth = 8 },
                   (key, message, inner) => new SafeTensorsException(key is null ? $"{path}: header is not valid JSON: {message}" : $"{path}: header key '{key}': {message}", inner)))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsException($"{path}: header must be a JSON object");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object)
                        throw new SafeTensorsException($"{path}: __metadata__ must be an object of strings");
                    foreach (var m in p.Value.EnumerateObject())
                    {
                        if (!StrictJson.TryGetString(m.Value, out string value))
                            throw new SafeTensorsException($"{path}: __metadata__ value '{m.Name}' is not a string");
                        metadata[m.Name] = value;
                    }
                    continue;
                }
                if (!entries.TryAdd(p.Name, ParseEntry(path, p.Name, p.Value, dataLength)))
                    throw new SafeTensorsException($"{path}: tensor '{p.Name}' is listed twice in the header");
            }
        }
        // the format's rule (and HF's reader): the tensors tile the data area exactly, in offset order, no gaps, no
        // overlaps, nothing left over. A header length field a few bytes short still parses (the header ends in space
        // padding) but moves the data area; this is what catches it.
        var sorted = entries.Values.OrderBy(e => e.Begin).ThenBy(e => e.End).ToArray();
        long expected = 0;
        foreach (var e in sorted)
        {
            if (e.Begin < expected)
                throw new SafeTensorsException($"{path}: tensor '{e.Name}' overlaps the tensor before it in the data area (begins at {e.Begin}, the previous one ends at {expected})");
            if (e.Begin > expected)
                throw new SafeTensorsException($"{path}: the data area has a gap before tensor '{e.Name}' (bytes {expected}–{e.Begin}); tensors must cover it exactly");
            expected = e.End;
        }
        if (expected != dataLength)
            throw new SafeTensorsException($"{path}: the tensors cover {expected} bytes of a {dataLength}-byte data area; they must cover it exactly (is the header length field right?)");
        return (entries, metadata, dataStart);
    }

    static TensorEntry ParseEntry(string path, string name, JsonElement v, long dataLength)
    {
        string Where() => $"{path}: tensor '{name}'";
        if (v.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsException($"{Where()}: header entry must be an object");
        if (!v.TryGetProperty("dtype", out var dt) || !StrictJson.TryGetString(dt, out string dtype))
            throw new SafeTensorsException($"{Where()}: missing or non-string 'dtype'");
        int elemSize = SafeTensorsDTypes.SizeOf(dtype);
        if (elemSize == 0)
            throw new SafeTensorsException($"{Where()}: unknown dtype '{dtype}'");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new SafeTensorsException($"{Where()}: missing or non-array 'shape'");
        if (sh.GetArrayLength() > 8)
            throw new SafeTensorsException($"{Where()}: {sh.GetArrayLength()} dimensions is more than we accept (8)");
        var shape = new List<int>();
        long count = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (!StrictJson.TryGetInt64(d, out long dim) || dim < 0 || dim > int.MaxValue)
                throw new SafeTensorsException($"{Where()}: shape entries must be non-negative integers, found {StrictJson.Describe(d)}");
            shape.Add((int)dim);
            count = dim == 0 || count == 0 ? 0 : (count > long.MaxValue / dim ? throw new SafeTensorsException($"{Where()}: shape is too large") : count * dim);
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new SafeTensorsException($"{Where()}: 'data_offsets' must be [begin, end]");
        var o0 = off[0];
        var o1 = off[1];
        if (!StrictJson.TryGetInt64(o0, out long begin) || !StrictJson.TryGetInt64(o1, out long end) || begin < 0 || end < begin)
            throw new SafeTensorsException($"{Where()}: 'data_offsets' must be two integers 0 ≤ begin ≤ end, found [{StrictJson.Describe(o0)}, {StrictJson.Describe(o1)}]");
        if (end > dataLength)
            throw new SafeTensorsException($"{Where()}: data_offsets [{begin}, {end}] run past the end of the data area ({dataLength} bytes)");
        if (count > long.MaxValue / elemSize || end - begin != count * elemSize)
            throw new SafeTensorsException($"{Where()}: byte length {end - begin} does not match shape [{string.Join(", ", shape)}] × {elemSize}-byte {dtype}");
        return new TensorEntry(name, dtype, [.. shape], begin, end);
    }

    public bool Contains(string name) => _entries.ContainsKey(name);

    public bool TryGetEntry(string name, out TensorEntry entry) => _entries.TryGetValue(name, out entry!);

    public TensorEntry GetEntry(string name) => _entries.TryGetValue(name, out var e) ? e
        : throw new SafeTensorsException($"{Path}: no tensor named '{name}'");

    /// <summary>The raw bytes of a tensor, straight from the mapping.</summary>
    public ReadOnlySpan<byte> GetBytes(TensorEntry e)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (e.ByteLength > int.MaxValue)
            throw new SafeTensorsException($"{Path}: tensor '{e.Name}' is larger than 2 GB; not supported");
        return new ReadOnlySpan<byte>(_base + _dataStart + e.Begin, (int)e.ByteLength);
    }

    /// <summary>An F32 tensor's elements, zero-copy over the mapping (valid while this file is open).</summary>
    public ReadOnlySpan<float> GetFloat32Span(TensorEntry e)
    {
        if (e.DType != SafeTensorsDType.F32)
            throw new SafeTensorsException($"{Path}: tensor '{e.Name}' is {e.DTypeName}, not F32");
        return MemoryMarshal.Cast<byte, float>(GetBytes(e));
    }

    /// <summary>Copies a tensor into <paramref name="destination"/> as float32 (F32, F16 or BF16).</summary>
    public void ReadAsFloat32(TensorEntry e, Span<float> destination)
    {
        if (destination.Length != e.ElementCount)
            throw new ArgumentException($"destination has {destination.Length} elements, tensor '{e.Name}' has {e.ElementCount}");
        var bytes = GetBytes(e);
        switch (e.DType)
        {
            case SafeTensorsDType.F32:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
                break;
            case SafeTensorsDType.F16:
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                for (int i = 0; i < halves.Length; i++) destination[i] = (float)halves[i];
                break;
            case SafeTensorsDType.BF16:
                var raw = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (int i = 0; i < raw.Length; i++) destination[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                break;
            default:
                throw new SafeTensorsException($"{Path}: tensor '{e.Name}' has dtype {e.DTypeName}; only F32, F16 and BF16 can be read as float32");
        }
    }

    /// <summary>A tensor as float32: zero-copy for F32, a converted copy otherwise.</summary>
    public ReadOnlyMemory<float> GetFloat32(TensorEntry e)
    {
        if (e.DType == SafeTensorsDType.F32)
            return new MappedFloatMemory(this, e).Memory;
        var copy = new float[e.ElementCount];
        ReadAsFloat32(e, copy);
        return copy;
    }

    public float[] ReadFloat32Array(string name)
    {
        var e = GetEntry(name);
        var arr = new float[e.ElementCount];
        ReadAsFloat32(e, arr);
        return arr;
    }

    /// <summary>
    /// Tells the OS a tensor's pages are no longer needed (Linux <c>madvise(MADV_DONTNEED)</c> on the whole pages inside
    /// it): they leave this process's resident set and are read back from the page cache if touched again. Used after a
    /// tensor was copied (packed), so resident memory holds one copy of it, not two. No effect elsewhere.
    /// </summary>
    public void Evict(TensorEntry e)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!OperatingSystem.IsLinux()) return;
        const long page = 4096;
        long start = (long)(_base + _dataStart + e.Begin), end = start + e.ByteLength;
        long first = (start + page - 1) / page * page, last = end / page * page;
        if (last > first)
            _ = madvise((nint)first, (nuint)(last - first), MadvDontNeed);
    }

    const int MadvDontNeed = 4;

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint address, nuint length, int advice);

    internal byte* DataPointer(TensorEntry e)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _base + _dataStart + e.Begin;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }
}
