using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.IO;
using AlbertGen.Kernels;

namespace AlbertGen.Embedded;

/// <summary>
/// A packed model image (docs/decisions.md D37): a model's weights already in the CPU engine's layout (GEMM panels,
/// fused Q/K/V, the tied decoder packed; int8 panels and scales for an int8 model; embeddings, biases and LayerNorm
/// as they are) and the model folder's tokenizer and config files, in one blob. <see cref="Pack"/> writes it at build
/// time; <see cref="OpenResource"/> opens it where the build embedded it, and
/// <see cref="CpuAlbertModel.Load(PackedModelImage, AlbertConfig, int)"/> runs on it in place: no weight is copied or
/// re-packed: the engine reads the resource where the runtime mapped it (<see cref="IsInPlace"/>; unless
/// <see cref="RequireAlignment"/> is set and the resource is not 64-byte aligned, when it is copied once into aligned memory).
/// </summary>
public sealed unsafe class PackedModelImage : IDisposable
{
    readonly byte* _base;
    readonly long _length;
    readonly bool _owned;              // _base is NativeMemory.AlignedAlloc'ed by us
    readonly object? _keepAlive;       // the resource stream over the executable's image
    readonly Dictionary<string, (SectionKind Kind, int Rows, int Cols, long Offset, long Length)> _sections;
    readonly string _fingerprint;
    bool _disposed;

    PackedModelImage(byte* data, long length, bool owned, object? keepAlive, string source)
    {
        _base = data;
        _length = length;
        _owned = owned;
        _keepAlive = keepAlive;
        Source = source;
        (_sections, _fingerprint, Head) = ReadHeader(data, length, source);
        var files = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var (name, s) in _sections)
        {
            if (s.Kind == SectionKind.Bytes && name.StartsWith(PackedModelFormat.FilePrefix, StringComparison.Ordinal))
                files[name[PackedModelFormat.FilePrefix.Length..]] = new NativeMemoryManager<byte>(data + s.Offset, checked((int)s.Length)).Memory;
        }
        Files = files;
    }

    /// <summary>Where the image came from (resource or file name), for messages.</summary>
    public string Source { get; }

    /// <summary>The head the weights were packed for.</summary>
    public AlbertHead Head { get; }

    /// <summary>Bytes in the image.</summary>
    public long Length => _length;

    /// <summary>True when the engine runs on the image where it lies (an embedded resource, 64-byte aligned), without a copy.</summary>
    public bool IsInPlace => !_owned;

    /// <summary>The model folder's files packed with the weights (tokenizer files, <c>config.json</c>) by file name; valid while the image is.</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Files { get; }

    /// <summary>
    /// Opens the image embedded in <paramref name="assembly"/> as the manifest resource <paramref name="resourceName"/>
    /// (what a build with <c>AlbertGenEmbedWeights="true"</c> adds). The resource is used in place when the runtime
    /// exposes it as memory of the loaded image (NativeAOT and JIT both do) on a 64-byte boundary.
    /// </summary>
    /// <exception cref="PackedModelException">No such resource, or it is not a valid image.</exception>
    public static PackedModelImage OpenResource(Assembly assembly, string resourceName)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resourceName);
        var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new PackedModelException($"{assembly.GetName().Name} has no embedded resource '{resourceName}': build it with AlbertGenEmbedWeights=\"true\" on the model's AdditionalFiles item (docs/generator.md)");
        string source = assembly.GetName().Name + "!" + resourceName;
        if (stream is UnmanagedMemoryStream ums && ums.Position == 0 && (nint)ums.PositionPointer % PackedModelFormat.Alignment is var misalignment
            && (misalignment == 0 || !RequireAlignment))
        {
            try
            {
                return new PackedModelImage(ums.PositionPointer, ums.Length, owned: false, keepAlive: ums, source);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }
        using (stream)
            return Copy(stream, source);
    }

    /// <summary>
    /// When true, an embedded image that does not start on a 64-byte boundary is copied into aligned memory instead of being
    /// used in place (NativeAOT places manifest resources at arbitrary byte offsets: D37). Default false: x64 and ARM64
    /// load vectors from any address, and the copy costs more at start-up than the unaligned panels cost per forward.
    /// </summary>
    public static bool RequireAlignment { get; set; }

    /// <summary>Where the image starts relative to a 64-byte boundary (0 for a copied or aligned one).</summary>
    public int Misalignment => (int)((nint)_base % PackedModelFormat.Alignment);

    /// <summary>Reads an image file (<see cref="Pack"/>'s output) into aligned memory.</summary>
    public static PackedModelImage FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Copy(stream, path);
    }

    /// <summary>An image from bytes (copied into aligned memory).</summary>
    public static PackedModelImage FromBytes(ReadOnlySpan<byte> bytes, string source = "bytes")
    {
        byte* p = Allocate(bytes.Length);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return Wrap(p, bytes.Length, source);
    }

    /// <summary>An image used where it lies (the caller keeps the memory alive); what <see cref="OpenResource"/> does with a mapped resource.</summary>
    internal static PackedModelImage InPlace(byte* data, long length, string source) => new(data, length, owned: false, keepAlive: null, source);

    static PackedModelImage Copy(Stream stream, string source)
    {
        long length = stream.Length;
        if (length > Array.MaxLength)
            throw new PackedModelException($"{source}: {length} bytes is larger than a packed model image can be");
        byte* p = Allocate(length);
        try
        {
            stream.ReadExactly(new Span<byte>(p, (int)length));
        }
        catch
        {
            NativeMemory.AlignedFree(p);
            throw;
        }
        return Wrap(p, length, source);
    }

    static byte* Allocate(long length) => (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(length, 1), PackedModelFormat.Alignment);

    static PackedModelImage Wrap(byte* p, long length, string source)
    {
        try
        {
            return new PackedModelImage(p, length, owned: true, keepAlive: null, source);
        }
        catch
        {
            NativeMemory.AlignedFree(p);
            throw;
        }
    }

    /// <summary>
    /// Build-time packer: loads the model folder <paramref name="modelDirectory"/> for <paramref name="head"/> (default: its
    /// config's) on the CPU engine and writes its weights as the engine holds them, with the folder's tokenizer files and
    /// <c>config.json</c>, to <paramref name="outputPath"/> (atomically).
    /// </summary>
    public static void Pack(string modelDirectory, string outputPath, AlbertHead? head = null)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        ArgumentNullException.ThrowIfNull(outputPath);
        using var model = CpuAlbertModel.Load(modelDirectory, head, threads: 1);
        var writer = new PackedModelWriter();
        model.Export(writer);
        foreach (var name in FolderFiles)
        {
            string path = Path.Combine(modelDirectory, name);
            if (File.Exists(path))
                writer.File(name, File.ReadAllBytes(path));
        }
        byte[] image = writer.ToArray(model.Config, model.Head);
        AtomicFile.Write(outputPath, s => s.Write(image));
    }

    /// <summary>The folder files <see cref="Pack"/> carries along: the tokenizer's (as the tokenizer reads a folder) and the config.</summary>
    public static readonly IReadOnlyList<string> FolderFiles =
        ["config.json", "spiece.model", "tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"];

    /// <summary>Throws unless the image was packed for a config equal to <paramref name="config"/> in every value its sections depend on.</summary>
    internal void CheckConfig(AlbertConfig config)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string expected = PackedModelFormat.Fingerprint(config);
        if (expected == _fingerprint)
            return;
        var mine = _fingerprint.Split(';');
        var theirs = expected.Split(';');
        var diff = mine.Except(theirs).Select(x => x).ToList();
        var want = theirs.Except(mine).ToList();
        throw new PackedModelException($"{Source}: packed for another config ({string.Join(", ", diff)}; this model has {string.Join(", ", want)}); repack it from the model folder");
    }

    internal bool Has(string name) => _sections.ContainsKey(name);

    (SectionKind Kind, int Rows, int Cols, long Offset, long Length) Section(string name, SectionKind kind, int rows, int cols)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_sections.TryGetValue(name, out var s))
            throw new PackedModelException($"{Source}: section '{name}' is missing");
        if (s.Kind != kind || s.Rows != rows || s.Cols != cols)
            throw new PackedModelException($"{Source}: section '{name}' is {s.Kind} {s.Rows} × {s.Cols}, {kind} {rows} × {cols} expected");
        return s;
    }

    internal ReadOnlyMemory<float> Tensor(string name, int rows, int cols)
    {
        var s = Section(name, SectionKind.Float32, rows, cols);
        return new NativeMemoryManager<float>((float*)(_base + s.Offset), rows * cols).Memory;
    }

    internal PinnedVector Vector(string name, int length)
    {
        var s = Section(name, SectionKind.Float32, length, 1);
        return PinnedVector.Over((float*)(_base + s.Offset), length);
    }

    internal PackedMatrix Matrix(string name, int n, int k)
    {
        var s = Section(name, SectionKind.Float32Panels, n, k);
        return PackedMatrix.Over((float*)(_base + s.Offset), n, k);
    }

    internal LinearWeight Linear(string name, int n, int k)
    {
        if (_sections.TryGetValue(name, out var s) && s.Kind == SectionKind.Int8Panels)
        {
            Section(name, SectionKind.Int8Panels, n, k);
            int padded = (n + GemmInt8.NR - 1) / GemmInt8.NR * GemmInt8.NR;
            var scales = Section(name + PackedModelFormat.ScalesSuffix, SectionKind.Float32, padded, 1);
            return QuantizedMatrix.Over((sbyte*)(_base + s.Offset), (float*)(_base + scales.Offset), n, k);
        }
        return Matrix(name, n, k);
    }

    static (Dictionary<string, (SectionKind, int, int, long, long)>, string, AlbertHead) ReadHeader(byte* data, long length, string source)
    {
        var bytes = new ReadOnlySpan<byte>(data, (int)Math.Min(length, int.MaxValue));
        PackedModelException Bad(string what) => new($"{source}: not a valid packed model image: {what}");

        if (bytes.Length < PackedModelFormat.FixedHeader || !bytes[..8].SequenceEqual(PackedModelFormat.Magic))
            throw Bad("it does not start with the magic 'ALBGPACK' (repack it with this AlbertGen version)");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (version != PackedModelFormat.Version)
            throw Bad($"format version {version}, this engine reads version {PackedModelFormat.Version} (repack it with this AlbertGen version)");
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]) != PackedModelFormat.Alignment)
            throw Bad($"alignment {BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..])}, {PackedModelFormat.Alignment} expected");
        ulong total = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        if (total != (ulong)length)
            throw Bad($"the header says {total} bytes, the image has {length} (truncated or padded)");
        uint head = BinaryPrimitives.ReadUInt32LittleEndian(bytes[24..]);
        if (!Enum.IsDefined((AlbertHead)head))
            throw Bad($"unknown head {head}");
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes[28..]);
        uint nr = BinaryPrimitives.ReadUInt32LittleEndian(bytes[32..]), nr8 = BinaryPrimitives.ReadUInt32LittleEndian(bytes[36..]);
        if (nr != Gemm.NR || nr8 != GemmInt8.NR)
            throw Bad($"panels of {nr} (float) and {nr8} (int8) outputs, this engine packs {Gemm.NR} and {GemmInt8.NR} (repack it with this AlbertGen version)");
        int p = PackedModelFormat.FixedHeader - 4; // the fingerprint's length is the last fixed field
        string fingerprint = ReadString(bytes, ref p, source);
        if (count > 100_000)
            throw Bad($"{count} sections");
        var sections = new Dictionary<string, (SectionKind, int, int, long, long)>(StringComparer.Ordinal);
        long headerEnd = 0;
        var table = new List<(string Name, long Offset, long Length)>();
        for (int i = 0; i < count; i++)
        {
            string name = ReadString(bytes, ref p, source);
            if (p + 28 > bytes.Length) throw Bad($"section '{name}' runs past the end of the header");
            uint kind = BinaryPrimitives.ReadUInt32LittleEndian(bytes[p..]);
            uint rows = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(p + 4)..]);
            uint cols = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(p + 8)..]);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(p + 12)..]);
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(p + 20)..]);
            p += 28;
            if ((rows == 0 && kind != (uint)SectionKind.Bytes) || cols == 0 || rows > int.MaxValue || cols > int.MaxValue)
                throw Bad($"section '{name}' has sizes {rows} × {cols}");
            long expected = (SectionKind)kind switch
            {
                SectionKind.Float32 => 4L * rows * cols,
                SectionKind.Float32Panels => 4L * PackedMatrix.PackedLength((int)rows, (int)cols),
                SectionKind.Int8Panels => QuantizedMatrix.PackedLength((int)rows, (int)cols),
                SectionKind.Bytes => cols == 1 ? rows : -1,
                _ => throw Bad($"section '{name}' has unknown kind {kind}"),
            };
            if ((ulong)expected != size)
                throw Bad($"section '{name}' ({(SectionKind)kind} {rows} × {cols}) holds {size} bytes, {expected} expected");
            if (offset % PackedModelFormat.Alignment != 0 || offset > (ulong)length || size > (ulong)length - offset)
                throw Bad($"section '{name}' at offset {offset} ({size} bytes) is not 64-byte aligned or lies outside the {length}-byte image");
            if (!sections.TryAdd(name, ((SectionKind)kind, (int)rows, (int)cols, (long)offset, (long)size)))
                throw Bad($"section '{name}' appears twice");
            table.Add((name, (long)offset, (long)size));
        }
        headerEnd = p;
        // sections may not overlap the header or each other
        table.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        long end = headerEnd;
        foreach (var (name, offset, size) in table)
        {
            if (offset < end)
                throw Bad($"section '{name}' at offset {offset} overlaps the header or the section before it");
            end = offset + size;
        }
        return (sections, fingerprint, (AlbertHead)head);
    }

    static string ReadString(ReadOnlySpan<byte> bytes, ref int at, string source)
    {
        if (at + 4 > bytes.Length)
            throw new PackedModelException($"{source}: not a valid packed model image: the header runs past the end");
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);
        if (n > 4096 || at + 4 + n > bytes.Length)
            throw new PackedModelException($"{source}: not a valid packed model image: a name of {n} bytes at offset {at} runs past the end");
        string s = Encoding.UTF8.GetString(bytes.Slice(at + 4, (int)n));
        at += 4 + (int)n;
        return s;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_owned)
            NativeMemory.AlignedFree(_base);
        (_keepAlive as IDisposable)?.Dispose();
    }
}
