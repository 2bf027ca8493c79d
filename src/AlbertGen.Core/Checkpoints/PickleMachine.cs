using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace AlbertGen.Checkpoints;

/// <summary>A pickled tuple (immutable).</summary>
internal sealed class PickleTuple(object?[] items)
{
    public object?[] Items { get; } = items;
}

/// <summary>A pickled dict or <c>collections.OrderedDict</c>: its items in insertion order (a repeated key keeps the last value when read).</summary>
internal sealed class PickleDict
{
    public List<KeyValuePair<object?, object?>> Items { get; } = [];
}

/// <summary>A global the allow-list admits: <c>collections.OrderedDict</c> or one of torch's rebuild functions.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => Module + "." + Name;
}

/// <summary>A <c>torch.*Storage</c> type named in a persistent id; <see cref="DType"/> uses safetensors' names (F32, F16, BF16, I64, …).</summary>
internal sealed record TorchStorageType(string Name, string DType);

/// <summary>
/// What a persistent id resolves to: <see cref="Numel"/> elements of a stored storage, from element <see cref="Offset"/> on
/// (offset 0 and the whole storage except for the legacy format's storage views).
/// </summary>
internal sealed record TorchStorageView(TorchStorage Storage, long Offset, long Numel);

/// <summary>One storage of the file (a zip entry <c>archive/data/KEY</c>, or a record after the legacy pickles).</summary>
internal sealed class TorchStorage(string key, TorchStorageType type, long numel)
{
    public string Key { get; } = key;
    public TorchStorageType Type { get; } = type;
    public long Numel { get; } = numel;
    /// <summary>Legacy format: where the storage's bytes start in the file (after its 8-byte count); −1 until known.</summary>
    public long FileOffset { get; set; } = -1;
    /// <summary>The materialised elements (<c>float[]</c> for F32, <c>ushort[]</c> for F16/BF16) once read; null before and after eviction.</summary>
    public Array? Data { get; set; }
}

/// <summary>A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a storage view, an element offset into it, sizes and strides.</summary>
internal sealed record TorchTensorRef(TorchStorageView View, long Offset, long[] Shape, long[] Stride);

/// <summary>
/// A pickle reader that never executes anything (https://docs.python.org/3/library/pickle.html, pickletools.py for
/// the opcodes). It knows the opcodes <c>torch.save</c> writes for state dicts (protocol 2, and the protocol 4 framing
/// opcodes) and builds plain values: None, bools, ints, floats, strings, tuples, lists, dicts. Globals are resolved
/// against an allow-list: <c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c> /
/// <c>_rebuild_tensor</c> / <c>_rebuild_parameter</c> (interpreted, not called) and the <c>torch.*Storage</c> types;
/// any other global — <c>posix.system</c>, <c>builtins.eval</c>, … — stops the read with a
/// <see cref="CheckpointException"/> naming it, before anything could be called. Any other opcode is refused the
/// same way. Every length is checked against the bytes left before anything is allocated; each opcode consumes at
/// least one byte, so the stack and memo are bounded by the input size.
/// </summary>
internal sealed class PickleMachine
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The storage types torch.save names, with safetensors dtype names; only F32, F16 and BF16 can be read as floats.</summary>
    static readonly Dictionary<string, string> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = "F32",
        ["HalfStorage"] = "F16",
        ["BFloat16Storage"] = "BF16",
        ["DoubleStorage"] = "F64",
        ["LongStorage"] = "I64",
        ["IntStorage"] = "I32",
        ["ShortStorage"] = "I16",
        ["CharStorage"] = "I8",
        ["ByteStorage"] = "U8",
        ["BoolStorage"] = "BOOL",
    };

    readonly string _path;
    readonly Stream _input;
    readonly long _end;
    readonly Func<PickleTuple, TorchStorageView> _persistentLoad;
    readonly List<object?> _stack = [];
    readonly List<int> _marks = [];
    readonly Dictionary<long, object?> _memo = [];
    long _pos, _opPos;

    PickleMachine(string path, Stream input, long position, long end, Func<PickleTuple, TorchStorageView> persistentLoad)
    {
        _path = path;
        _input = input;
        _pos = position;
        _end = end;
        _persistentLoad = persistentLoad;
    }

    /// <summary>
    /// Reads one pickle from <paramref name="input"/> (at byte <paramref name="position"/> of the file, which ends at
    /// <paramref name="end"/>) up to its STOP; returns the value and the position after STOP.
    /// </summary>
    public static (object? Value, long End) Load(string path, Stream input, long position, long end, Func<PickleTuple, TorchStorageView>? persistentLoad)
    {
        var vm = new PickleMachine(path, input, position, end,
            persistentLoad ?? (_ => throw new CheckpointException($"{path}: unexpected persistent id (a storage reference) in this pickle")));
        return (vm.Run(), vm._pos);
    }

    CheckpointException Fail(string message) => new($"{_path}: {message} (pickle opcode at byte {_opPos})");

    object? Run()
    {
        while (true)
        {
            _opPos = _pos;
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    if (ReadByte() > 5) throw Fail("pickle protocol above 5");
                    break;
                case 0x95: // FRAME (protocol 4): an 8-byte length hint; the bytes follow inline
                    Read(8);
                    break;
                case (byte)'}': Push(new PickleDict()); break;   // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)')': Push(new PickleTuple([])); break; // EMPTY_TUPLE
                case (byte)'(': _marks.Add(_stack.Count); break;  // MARK
                case (byte)'X': Push(ReadString(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break; // BINUNICODE
                case 0x8c: Push(ReadString(ReadByte())); break;  // SHORT_BINUNICODE
                case 0x8d: Push(ReadString(BinaryPrimitives.ReadUInt64LittleEndian(Read(8)))); break; // BINUNICODE8
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadByte())); break;    // LONG1
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8))); break; // BINFLOAT
                case (byte)'N': Push(null); break;               // NONE
                case 0x88: Push(true); break;                    // NEWTRUE
                case 0x89: Push(false); break;                   // NEWFALSE
                case (byte)'t': Push(new PickleTuple(PopToMark())); break; // TUPLE
                case 0x85: Push(new PickleTuple([Pop()])); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b])); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b, c])); break; } // TUPLE3
                case (byte)'l': Push(new List<object?>(PopToMark())); break; // LIST
                case (byte)'d': // DICT
                {
                    var items = PopToMark();
                    var d = new PickleDict();
                    AddPairs(d, items);
                    Push(d);
                    break;
                }
                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    Dict(Top()).Items.Add(new(key, value));
                    break;
                }
                case (byte)'u': // SETITEMS
                {
                    var items = PopToMark();
                    AddPairs(Dict(Top()), items);
                    break;
                }
                case (byte)'a': // APPEND
                {
                    var value = Pop();
                    List(Top()).Add(value);
                    break;
                }
                case (byte)'e': // APPENDS
                {
                    var items = PopToMark();
                    List(Top()).AddRange(items);
                    break;
                }
                case (byte)'q': _memo[ReadByte()] = Top(); break; // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Read(4))] = Top(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Top(); break;    // MEMOIZE
                case (byte)'h': Push(Memo(ReadByte())); break;   // BINGET
                case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break; // LONG_BINGET
                case (byte)'c': // GLOBAL: "module\nname\n"
                {
                    string module = ReadLine();
                    string name = ReadLine();
                    Push(ResolveGlobal(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n) throw Fail("STACK_GLOBAL needs two strings");
                    Push(ResolveGlobal(m, n));
                    break;
                }
                case (byte)'Q': // BINPERSID: a storage reference
                {
                    var pid = Pop() as PickleTuple ?? throw Fail("persistent id is not a tuple");
                    Push(_persistentLoad(pid));
                    break;
                }
                case (byte)'R': // REDUCE: only the allow-listed callables, interpreted here
                {
                    var args = Pop() as PickleTuple ?? throw Fail("REDUCE arguments are not a tuple");
                    Push(Call(Pop(), args));
                    break;
                }
                case (byte)'b': // BUILD: the state of an OrderedDict (state_dict._metadata) or a tensor is not needed
                {
                    Pop();
                    if (Top() is not (PickleDict or TorchTensorRef)) throw Fail($"BUILD on a {Describe(Top())}");
                    break;
                }
                case (byte)'.': // STOP
                    return Pop();
                default:
                    throw Fail($"pickle opcode 0x{op:x2}{(op is >= 0x20 and < 0x7f ? $" '{(char)op}'" : "")} is not allowed in a state dict (nothing was run)");
            }
        }
    }

    object ResolveGlobal(string module, string name)
    {
        switch (module)
        {
            case "collections" when name == "OrderedDict":
            case "torch._utils" when name is "_rebuild_tensor_v2" or "_rebuild_tensor" or "_rebuild_parameter":
                return new PickleGlobal(module, name);
            case "torch" when name.EndsWith("Storage", StringComparison.Ordinal):
                return StorageTypes.TryGetValue(name, out var dtype) ? new TorchStorageType(name, dtype)
                    : throw Fail($"unsupported storage type 'torch.{name}' (F32, F16, BF16 and integer/bool storages are read)");
            default:
                throw Fail($"pickle global '{module}.{name}' is not allowed: a state dict needs only collections.OrderedDict, "
                    + "torch._utils._rebuild_tensor_v2 and torch.*Storage; the file was refused and nothing was run");
        }
    }

    object Call(object? callable, PickleTuple args)
    {
        if (callable is not PickleGlobal g)
            throw Fail($"REDUCE on a {Describe(callable)}, not an allowed callable");
        var a = args.Items;
        switch (g.Name)
        {
            case "OrderedDict":
                if (a.Length != 0) throw Fail("collections.OrderedDict called with arguments");
                return new PickleDict();
            case "_rebuild_tensor_v2" or "_rebuild_tensor":
                // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]);
                // _rebuild_tensor(storage, storage_offset, size, stride)
                if (a.Length < 4 || a.Length > 7) throw Fail($"torch._utils.{g.Name} with {a.Length} arguments");
                return RebuildTensor(a[0], a[1], a[2], a[3]);
            case "_rebuild_parameter":
                // _rebuild_parameter(data, requires_grad, backward_hooks): the parameter's data tensor
                if (a.Length != 3 || a[0] is not TorchTensorRef t) throw Fail("torch._utils._rebuild_parameter without a tensor");
                return t;
            default:
                throw Fail($"'{g.FullName}' cannot be called");
        }
    }

    TorchTensorRef RebuildTensor(object? storage, object? offset, object? size, object? stride)
    {
        if (storage is not TorchStorageView view) throw Fail("tensor without a storage");
        if (offset is not long off || off < 0) throw Fail("tensor storage offset is not a non-negative integer");
        long[] shape = Longs(size, "size"), strides = Longs(stride, "stride");
        if (shape.Length != strides.Length) throw Fail($"tensor size has {shape.Length} dimensions, its stride {strides.Length}");
        if (shape.Length > 8) throw Fail($"tensor with {shape.Length} dimensions (at most 8 are read)");
        long numel = 1, last = off; // last: the highest element index the tensor touches
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0 || shape[i] > int.MaxValue || strides[i] < 0)
                throw Fail($"tensor size [{string.Join(", ", shape)}] / stride [{string.Join(", ", strides)}] out of range");
            numel = shape[i] == 0 || numel == 0 ? 0 : numel > long.MaxValue / shape[i] ? throw Fail("tensor is too large") : numel * shape[i];
        }
        // a state dict's tensors are views of distinct elements: more elements than the storage holds would be an
        // overlapping (expanded) view, and would let a small file ask for an unbounded allocation
        if (numel > view.Numel)
            throw Fail($"tensor of size [{string.Join(", ", shape)}] has more elements than its {view.Numel}-element storage");
        if (numel > 0)
        {
            for (int i = 0; i < shape.Length; i++)
            {
                if (shape[i] > 1 && strides[i] > (view.Numel - 1 - last) / (shape[i] - 1))
                    throw Fail($"tensor (offset {off}, size [{string.Join(", ", shape)}], stride [{string.Join(", ", strides)}]) reaches past its {view.Numel}-element storage");
                last += (shape[i] - 1) * strides[i];
            }
            if (last >= view.Numel)
                throw Fail($"tensor offset {off} is past its {view.Numel}-element storage");
        }
        return new TorchTensorRef(view, off, shape, strides);
    }

    long[] Longs(object? value, string what)
    {
        if (value is not PickleTuple t) throw Fail($"tensor {what} is not a tuple");
        var r = new long[t.Items.Length];
        for (int i = 0; i < r.Length; i++)
            r[i] = t.Items[i] is long x ? x : throw Fail($"tensor {what} holds a {Describe(t.Items[i])}, not an integer");
        return r;
    }

    void AddPairs(PickleDict d, object?[] items)
    {
        if (items.Length % 2 != 0) throw Fail("odd number of items for a dict");
        for (int i = 0; i < items.Length; i += 2) d.Items.Add(new(items[i], items[i + 1]));
    }

    PickleDict Dict(object? o) => o as PickleDict ?? throw Fail($"SETITEM on a {Describe(o)}");

    List<object?> List(object? o) => o as List<object?> ?? throw Fail($"APPEND on a {Describe(o)}");

    object? Memo(long index) => _memo.TryGetValue(index, out var v) ? v : throw Fail($"memo entry {index} was never stored");

    void Push(object? o) => _stack.Add(o);

    object? Top() => _stack.Count > (_marks.Count > 0 ? _marks[^1] : 0) ? _stack[^1] : throw Fail("stack is empty");

    object? Pop()
    {
        var v = Top();
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    object?[] PopToMark()
    {
        if (_marks.Count == 0) throw Fail("no MARK on the stack");
        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark, _stack.Count - mark).ToArray();
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    byte ReadByte()
    {
        if (_pos >= _end) throw Fail("truncated: the pickle ends before its STOP opcode");
        int b = _input.ReadByte();
        if (b < 0) throw Fail("truncated: the pickle ends before its STOP opcode");
        _pos++;
        return (byte)b;
    }

    byte[] Read(ulong count)
    {
        if (count > (ulong)(_end - _pos)) throw Fail($"truncated: {count} bytes announced, {_end - _pos} left");
        var buffer = new byte[count];
        try
        {
            _input.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointException($"{_path}: truncated pickle (pickle opcode at byte {_opPos})", e);
        }
        _pos += (long)count;
        return buffer;
    }

    string ReadString(ulong length)
    {
        var bytes = Read(length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new CheckpointException($"{_path}: string is not valid UTF-8 (pickle opcode at byte {_opPos})", e);
        }
    }

    string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            byte b = ReadByte();
            if (b == (byte)'\n') return sb.ToString();
            if (b is < 0x20 or >= 0x7f || sb.Length >= 256) throw Fail("GLOBAL name is not a short printable line");
            sb.Append((char)b);
        }
    }

    object ReadLong(int n)
    {
        var bytes = Read((ulong)n);
        if (n <= 8)
        {
            long v = 0;
            for (int i = n - 1; i >= 0; i--) v = (v << 8) | bytes[i];
            if (n is > 0 and < 8 && (bytes[n - 1] & 0x80) != 0) v -= 1L << (8 * n); // sign-extend
            return v;
        }
        return new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
    }

    static string Describe(object? o) => o switch
    {
        null => "None",
        string => "string",
        long or BigInteger => "integer",
        bool => "bool",
        double => "float",
        PickleTuple => "tuple",
        PickleDict => "dict",
        List<object?> => "list",
        PickleGlobal g => g.FullName,
        TorchStorageType s => "torch." + s.Name,
        TorchStorageView => "storage",
        TorchTensorRef => "tensor",
        _ => o.GetType().Name,
    };
}
