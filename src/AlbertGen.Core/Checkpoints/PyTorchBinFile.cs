using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using AlbertGen.SafeTensors;

namespace AlbertGen.Checkpoints;

/// <summary>
/// A <c>pytorch_model.bin</c> (<c>torch.save</c> of a state dict) read without Python and without running its pickle
/// (<see cref="PickleMachine"/>: an allow-list of opcodes and globals). Two layouts:
/// <list type="bullet">
/// <item>zip (torch ≥ 1.6): <c>ARCHIVE/data.pkl</c> (any archive folder name) and one entry <c>ARCHIVE/data/KEY</c> per storage;</item>
/// <item>legacy (<c>_use_new_zipfile_serialization=False</c>, torch &lt; 1.6): pickles of the magic number, protocol
/// version and system info, the state dict, the list of storage keys, then each storage as an 8-byte element count and
/// its bytes.</item>
/// </list>
/// Tensors are views into storages (offset, sizes, strides): several keys may share one storage (tied weights) and a
/// view need not be contiguous; reading materialises it row-major. A storage is read into memory on first use; F32
/// tensors that are contiguous are then served without a copy, F16/BF16 ones converted (as <see cref="SafeTensorsFile"/>
/// does). Integer and bool tensors (e.g. the <c>position_ids</c> buffer) are listed and refused when read as floats.
/// Every problem is a <see cref="CheckpointException"/> naming the file; sizes are checked against the file before
/// anything is allocated.
/// </summary>
public sealed class PyTorchBinFile : ITensorFile
{
    sealed record Layout(TorchStorage Storage, long Offset, int[] Shape, long[] Stride, long Numel);

    readonly FileStream _stream;
    readonly ZipArchive? _zip;
    readonly string? _archive;
    readonly Dictionary<string, TensorEntry> _entries;
    readonly List<TensorEntry> _ordered;
    readonly Dictionary<string, Layout> _layouts;
    bool _disposed;

    /// <summary>The magic number the legacy format pickles first (torch/serialization.py MAGIC_NUMBER).</summary>
    static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356", System.Globalization.CultureInfo.InvariantCulture);

    const long LegacyProtocolVersion = 1001;

    public string Path { get; }

    /// <summary>"zip" or "legacy".</summary>
    public string Format => _zip is null ? "legacy" : "zip";

    public IReadOnlyCollection<TensorEntry> Tensors => _ordered;

    PyTorchBinFile(string path, FileStream stream, ZipArchive? zip, string? archive, List<(string Name, TorchTensorRef Tensor)> tensors)
    {
        Path = path;
        _stream = stream;
        _zip = zip;
        _archive = archive;
        _entries = new(StringComparer.Ordinal);
        _ordered = [];
        _layouts = new(StringComparer.Ordinal);
        foreach (var (name, t) in tensors)
        {
            var storage = t.View.Storage;
            long offset = t.View.Offset + t.Offset, numel = 1, extent = 1;
            for (int i = 0; i < t.Shape.Length; i++)
            {
                numel *= t.Shape[i];
                extent += (t.Shape[i] - 1) * t.Stride[i];
            }
            if (numel == 0) extent = 0;
            int size = SafeTensorsDTypes.SizeOf(storage.Type.DType);
            var entry = new TensorEntry(name, storage.Type.DType, Array.ConvertAll(t.Shape, x => (int)x), offset * size, (offset + extent) * size);
            if (_entries.ContainsKey(name)) _ordered.RemoveAll(e => e.Name == name);
            _entries[name] = entry;
            _ordered.Add(entry);
            _layouts[name] = new Layout(storage, offset, entry.Shape, t.Stride, numel);
        }
    }

    /// <summary>True when the file starts as a torch.save zip archive or a legacy torch pickle does.</summary>
    public static bool LooksLikePyTorch(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return fs.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && (IsZip(head) || IsLegacy(head));
    }

    static bool IsZip(ReadOnlySpan<byte> head) => head.SequenceEqual("PK\u0003\u0004"u8);

    // PROTO 2, LONG1 of 10 bytes (the magic number)
    static bool IsLegacy(ReadOnlySpan<byte> head) => head.SequenceEqual((ReadOnlySpan<byte>)[0x80, 0x02, 0x8a, 0x0a]);

    /// <summary>Reads and checks the file's pickle and storage table (not the tensor data). Throws <see cref="CheckpointException"/> naming the problem.</summary>
    public static PyTorchBinFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"weights file not found: {path}", path);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("reading pytorch_model.bin needs a little-endian machine");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        try
        {
            long length = stream.Length;
            Span<byte> head = stackalloc byte[4];
            if (length < 4 || stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4)
                throw new CheckpointException($"{path}: {length} bytes is too short for a PyTorch checkpoint");
            stream.Position = 0;
            if (IsZip(head)) return OpenZip(path, stream);
            if (IsLegacy(head)) return OpenLegacy(path, stream);
            throw new CheckpointException($"{path}: not a PyTorch checkpoint: neither a torch.save zip archive nor a legacy torch pickle "
                + $"(starts with {Convert.ToHexString(head)})");
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException && e is not FileNotFoundException)
        {
            stream.Dispose();
            throw new CheckpointException($"{path}: {(e is EndOfStreamException ? "truncated" : "malformed")} PyTorch checkpoint: {e.Message}", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    static PyTorchBinFile OpenZip(string path, FileStream stream)
    {
        var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        try
        {
            var pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length).ToList();
            if (pickles.Count != 1)
                throw new CheckpointException($"{path}: a torch.save zip archive has one ARCHIVE/data.pkl; this one has {pickles.Count} "
                    + $"(entries: {string.Join(", ", zip.Entries.Take(8).Select(e => e.FullName))}{(zip.Entries.Count > 8 ? ", …" : "")})");
            string archive = pickles[0].FullName[..^"/data.pkl".Length];
            if (zip.GetEntry(archive + "/byteorder") is { } order)
            {
                var text = ReadSmallEntry(path, order, 16);
                if (text != "little")
                    throw new CheckpointException($"{path}: byte order '{text}' (only little-endian checkpoints are read)");
            }
            byte[] pkl = ReadEntryBytes(path, pickles[0], stream.Length);
            var storages = new Dictionary<string, TorchStorage>(StringComparer.Ordinal);
            TorchStorageView Persistent(PickleTuple pid)
            {
                // ('storage', storage_type, key, location, numel)
                var a = pid.Items;
                if (a.Length != 5 || a[0] is not "storage" || a[1] is not TorchStorageType type || a[2] is not string key
                    || a[3] is not string || a[4] is not long numel || numel < 0)
                    throw new CheckpointException($"{path}: persistent id is not ('storage', type, key, location, numel)");
                var s = Storage(path, storages, key, type, numel);
                var entry = zip.GetEntry(archive + "/data/" + key)
                    ?? throw new CheckpointException($"{path}: storage '{key}' has no entry {archive}/data/{key}");
                long bytes = numel * SafeTensorsDTypes.SizeOf(type.DType); // numel ≤ entry length checked below, so no overflow
                if (entry.Length > EntryCap(entry, stream.Length))
                    throw new CheckpointException($"{path}: entry {entry.FullName} claims {entry.Length} bytes, more than the file can hold");
                if (numel > entry.Length || entry.Length != bytes)
                    throw new CheckpointException($"{path}: storage '{key}' holds {entry.Length} bytes, {numel} × {type.DType} needs {bytes}");
                return new TorchStorageView(s, 0, numel);
            }
            using var ms = new MemoryStream(pkl, writable: false);
            var (value, _) = PickleMachine.Load(path, ms, 0, pkl.Length, Persistent);
            return new PyTorchBinFile(path, stream, zip, archive, StateDict(path, value));
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    static PyTorchBinFile OpenLegacy(string path, FileStream stream)
    {
        long length = stream.Length;
        var buffered = new BufferedStream(stream, 1 << 16);
        long pos = 0;
        object? Next(Func<PickleTuple, TorchStorageView>? persistent)
        {
            var (v, end) = PickleMachine.Load(path, buffered, pos, length, persistent);
            pos = end;
            return v;
        }
        if (Next(null) is not BigInteger magic || magic != LegacyMagic)
            throw new CheckpointException($"{path}: legacy torch pickle without torch's magic number");
        if (Next(null) is not long protocol || protocol != LegacyProtocolVersion)
            throw new CheckpointException($"{path}: legacy torch pickle protocol is not {LegacyProtocolVersion}");
        if (Next(null) is not PickleDict sysInfo)
            throw new CheckpointException($"{path}: legacy torch pickle without its system info");
        foreach (var kv in sysInfo.Items)
        {
            if (kv.Key is "little_endian" && kv.Value is not true)
                throw new CheckpointException($"{path}: written on a big-endian machine (only little-endian checkpoints are read)");
        }
        var storages = new Dictionary<string, TorchStorage>(StringComparer.Ordinal);
        TorchStorageView Persistent(PickleTuple pid)
        {
            // ('storage', storage_type, root_key, location, numel, view_metadata: None | (view_key, offset, view_size))
            var a = pid.Items;
            if (a.Length != 6 || a[0] is not "storage" || a[1] is not TorchStorageType type || a[2] is not string key
                || a[3] is not string || a[4] is not long numel || numel < 0 || numel > length)
                throw new CheckpointException($"{path}: persistent id is not ('storage', type, key, location, numel, view)");
            var s = Storage(path, storages, key, type, numel);
            if (a[5] is null) return new TorchStorageView(s, 0, numel);
            if (a[5] is PickleTuple { Items: [string, long offset, long size] } && offset >= 0 && size >= 0 && offset <= numel && size <= numel - offset)
                return new TorchStorageView(s, offset, size);
            throw new CheckpointException($"{path}: storage '{key}' has a malformed view (offset, size)");
        }
        var value = Next(Persistent);
        if (Next(null) is not List<object?> keys)
            throw new CheckpointException($"{path}: legacy torch pickle without its list of storage keys");
        Span<byte> count = stackalloc byte[8];
        foreach (var k in keys)
        {
            if (k is not string key || !storages.TryGetValue(key, out var s))
                throw new CheckpointException($"{path}: the storage list names '{k}', which no tensor uses");
            if (s.FileOffset >= 0)
                throw new CheckpointException($"{path}: storage '{key}' is listed twice");
            if (pos > length - 8 || RandomAccess.Read(stream.SafeFileHandle, count, pos) != 8)
                throw new CheckpointException($"{path}: truncated: storage '{key}' starts past the end of the {length}-byte file");
            long numel = BinaryPrimitives.ReadInt64LittleEndian(count);
            if (numel != s.Numel)
                throw new CheckpointException($"{path}: storage '{key}' records {numel} elements, the pickle says {s.Numel}");
            long bytes = numel * SafeTensorsDTypes.SizeOf(s.Type.DType); // numel ≤ file length (checked above)
            if (bytes > length - pos - 8)
                throw new CheckpointException($"{path}: truncated: storage '{key}' needs {bytes} bytes at byte {pos + 8}, the file has {length - pos - 8} left");
            s.FileOffset = pos + 8;
            pos += 8 + bytes;
        }
        foreach (var s in storages.Values)
        {
            if (s.FileOffset < 0)
                throw new CheckpointException($"{path}: storage '{s.Key}' is used by a tensor but not stored");
        }
        return new PyTorchBinFile(path, stream, null, null, StateDict(path, value));
    }

    static TorchStorage Storage(string path, Dictionary<string, TorchStorage> storages, string key, TorchStorageType type, long numel)
    {
        if (key.Length == 0 || key.Length > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new CheckpointException($"{path}: storage key '{(key.Length > 64 ? key[..64] + "…" : key)}' is not a plain name");
        if (storages.TryGetValue(key, out var s))
        {
            if (s.Type != type || s.Numel != numel)
                throw new CheckpointException($"{path}: storage '{key}' is named twice with different types or sizes");
            return s;
        }
        s = new TorchStorage(key, type, numel);
        storages[key] = s;
        return s;
    }

    /// <summary>The tensors of the state dict (the top-level dict's tensor values, in order; other values are ignored).</summary>
    static List<(string, TorchTensorRef)> StateDict(string path, object? value)
    {
        if (value is not PickleDict dict)
            throw new CheckpointException($"{path}: holds a {(value is null ? "None" : value.GetType().Name)}, not a state dict");
        var tensors = new List<(string, TorchTensorRef)>();
        foreach (var kv in dict.Items)
        {
            if (kv.Value is not TorchTensorRef t) continue;
            if (kv.Key is not string name)
                throw new CheckpointException($"{path}: a tensor's key is not a string");
            tensors.Add((name, t));
        }
        if (tensors.Count == 0)
            throw new CheckpointException($"{path}: the pickled dict holds no tensors (is it a state dict?)");
        return tensors;
    }

    static string ReadSmallEntry(string path, ZipArchiveEntry e, int cap)
    {
        if (e.Length > cap) throw new CheckpointException($"{path}: entry {e.FullName} is {e.Length} bytes, at most {cap} expected");
        return System.Text.Encoding.ASCII.GetString(ReadEntryBytes(path, e, cap)).Trim();
    }

    /// <summary>An entry's bytes; its stated length is bounded by the file (stored) or by DEFLATE's best ratio (compressed) before allocating.</summary>
    static byte[] ReadEntryBytes(string path, ZipArchiveEntry e, long fileLength)
    {
        if (e.Length > EntryCap(e, fileLength) || e.Length > Math.Min(Array.MaxLength, 1L << 30))
            throw new CheckpointException($"{path}: entry {e.FullName} claims {e.Length} bytes, more than the file can hold");
        var bytes = new byte[e.Length];
        using var s = e.Open();
        s.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The most bytes an entry can hold: the file's size when stored, DEFLATE's best ratio (1032:1) of its compressed size otherwise.</summary>
    static long EntryCap(ZipArchiveEntry e, long fileLength) =>
        e.CompressedLength > fileLength ? 0 : e.CompressedLength == e.Length ? fileLength : e.CompressedLength * 1032 + 1024;

    public bool Contains(string name) => _entries.ContainsKey(name);

    public bool TryGetEntry(string name, out TensorEntry entry) => _entries.TryGetValue(name, out entry!);

    public TensorEntry GetEntry(string name) => _entries.TryGetValue(name, out var e) ? e
        : throw new CheckpointException($"{Path}: no tensor named '{name}'");

    public ReadOnlyMemory<float> GetFloat32(TensorEntry e)
    {
        var l = LayoutOf(e);
        var data = Load(l.Storage, e.Name);
        if (data is float[] f && IsContiguous(l))
            return new ReadOnlyMemory<float>(f, (int)l.Offset, (int)l.Numel);
        var copy = new float[l.Numel];
        Gather(l, data, copy);
        return copy;
    }

    public void ReadAsFloat32(TensorEntry e, Span<float> destination)
    {
        if (destination.Length != e.ElementCount)
            throw new ArgumentException($"destination has {destination.Length} elements, tensor '{e.Name}' has {e.ElementCount}");
        var l = LayoutOf(e);
        Gather(l, Load(l.Storage, e.Name), destination);
    }

    public float[] ReadFloat32Array(string name)
    {
        var e = GetEntry(name);
        var arr = new float[e.ElementCount];
        ReadAsFloat32(e, arr);
        return arr;
    }

    /// <summary>Drops the cached storage of a tensor (memory already handed out stays valid; a later read loads it again).</summary>
    public void Evict(TensorEntry e)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_layouts.TryGetValue(e.Name, out var l)) l.Storage.Data = null;
    }

    Layout LayoutOf(TensorEntry e)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_layouts.TryGetValue(e.Name, out var l) || !ReferenceEquals(_entries[e.Name], e))
            throw new CheckpointException($"{Path}: tensor '{e.Name}' is not an entry of this file");
        if (e.DType is not (SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16))
            throw new CheckpointException($"{Path}: tensor '{e.Name}' has dtype {e.DTypeName}; only F32, F16 and BF16 can be read as float32");
        return l;
    }

    static bool IsContiguous(Layout l)
    {
        long expected = 1;
        for (int i = l.Shape.Length - 1; i >= 0; i--)
        {
            if (l.Shape[i] != 1 && l.Stride[i] != expected) return false;
            expected *= l.Shape[i];
        }
        return true;
    }

    /// <summary>The storage's elements in memory (read on first use): <c>float[]</c> for F32, <c>ushort[]</c> for F16/BF16.</summary>
    Array Load(TorchStorage s, string tensor)
    {
        if (s.Data is { } cached) return cached;
        long bytes = s.Numel * SafeTensorsDTypes.SizeOf(s.Type.DType);
        if (bytes > Array.MaxLength)
            throw new CheckpointException($"{Path}: tensor '{tensor}': storages over 2 GB are not read");
        Array data = s.Type.DType == "F32" ? new float[s.Numel] : new ushort[s.Numel];
        var span = data is float[] f ? MemoryMarshal.AsBytes(f.AsSpan()) : MemoryMarshal.AsBytes(((ushort[])data).AsSpan());
        try
        {
            if (_zip is null)
            {
                long at = s.FileOffset;
                while (span.Length > 0)
                {
                    int n = RandomAccess.Read(_stream.SafeFileHandle, span, at);
                    if (n <= 0) throw new CheckpointException($"{Path}: truncated: storage '{s.Key}' of tensor '{tensor}' ends early");
                    span = span[n..];
                    at += n;
                }
            }
            else
            {
                var entry = _zip.GetEntry(_archive + "/data/" + s.Key)!;
                using var st = entry.Open();
                st.ReadExactly(span);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new CheckpointException($"{Path}: storage '{s.Key}' of tensor '{tensor}' cannot be read: {e.Message}", e);
        }
        s.Data = data;
        return data;
    }

    /// <summary>Copies a (possibly strided) view into <paramref name="dst"/> row-major, converting F16/BF16 to float32.</summary>
    static void Gather(Layout l, Array data, Span<float> dst)
    {
        if (l.Numel == 0) return;
        bool bf16 = l.Storage.Type.DType == "BF16";
        if (IsContiguous(l))
        {
            if (data is float[] f)
                f.AsSpan((int)l.Offset, dst.Length).CopyTo(dst);
            else
                for (int i = 0; i < dst.Length; i++) dst[i] = At(data, bf16, l.Offset + i);
            return;
        }
        int nd = l.Shape.Length;
        Span<long> index = stackalloc long[nd];
        // innermost dimension as a strided run, the outer ones as an odometer
        long inner = l.Shape[nd - 1], innerStride = l.Stride[nd - 1], src = l.Offset;
        for (long i = 0; i < l.Numel; i += inner)
        {
            var row = dst.Slice((int)i, (int)inner);
            for (int j = 0; j < row.Length; j++) row[j] = At(data, bf16, src + j * innerStride);
            for (int d = nd - 2; d >= 0; d--)
            {
                src += l.Stride[d];
                if (++index[d] < l.Shape[d]) break;
                src -= l.Stride[d] * l.Shape[d];
                index[d] = 0;
            }
        }
    }

    static float At(Array data, bool bf16, long i)
    {
        if (data is float[] f) return f[i];
        ushort bits = ((ushort[])data)[i];
        return bf16 ? BitConverter.Int32BitsToSingle(bits << 16) : (float)BitConverter.UInt16BitsToHalf(bits);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var l in _layouts.Values) l.Storage.Data = null;
        _zip?.Dispose();
        _stream.Dispose();
    }
}
