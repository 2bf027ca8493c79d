using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Quantization;
using AlbertGen.Rules;
using AlbertGen.SafeTensors;

namespace AlbertGen.Model;

/// <summary>
/// A weights file (<c>model.safetensors</c> or <c>pytorch_model.bin</c>, see <see cref="CheckpointFiles"/>) checked
/// against the tensor list a config and head need (<see cref="AlbertWeightNames.For"/>). Accepts <c>AlbertFor*</c> checkpoints (<c>albert.</c>-prefixed encoder
/// names) and bare <c>AlbertModel</c> ones; ties <c>predictions.decoder.weight</c> to the word embeddings when
/// <c>tie_word_embeddings</c> is set, as HF does. Safetensors tensors are memory-mapped (F32 ones not copied); a
/// <c>pytorch_model.bin</c>'s storages are read on first use. An int8 model (<c>albertgen quantize</c>, <see cref="Int8Weights"/>)
/// stores the shared layer's linear maps and the pooler/classifier as <c>I8</c> with per-row <c>NAME_scale</c> tensors;
/// those are read through <see cref="IsInt8"/>, <see cref="GetInt8"/> and <see cref="GetScales"/>.
/// </summary>
public sealed class AlbertCheckpoint : IDisposable
{
    readonly ITensorFile _file;
    readonly Dictionary<string, TensorEntry> _resolved;

    AlbertCheckpoint(ITensorFile file, Dictionary<string, TensorEntry> resolved, AlbertConfig config, AlbertHead head, IReadOnlyList<WeightSpec> specs, bool hasPooler)
    {
        HasPooler = hasPooler;
        _file = file;
        _resolved = resolved;
        Config = config;
        Head = head;
        Specs = specs;
    }

    public string Path => _file.Path;

    /// <summary>The config the tensors were checked against.</summary>
    public AlbertConfig Config { get; }

    /// <summary>The head the tensors were checked for.</summary>
    public AlbertHead Head { get; }

    /// <summary>
    /// Whether the pooler is loaded: true for the heads HF builds with one, except a bare <c>AlbertModel</c> (head
    /// base) whose file has neither <c>albert.pooler.weight</c> nor <c>albert.pooler.bias</c> (encoder-only exports,
    /// sentence-transformers models): that loads without it and gives no <c>pooler_output</c> (docs/decisions.md D32).
    /// </summary>
    public bool HasPooler { get; }

    /// <summary>The tensors this config and head need, in dataflow order (HF names).</summary>
    public IReadOnlyList<WeightSpec> Specs { get; }

    /// <summary>
    /// Opens <paramref name="path"/> (a <c>.safetensors</c> or <c>pytorch_model.bin</c> file; <see cref="CheckpointFiles.Find"/>
    /// picks one in a model folder) and checks every tensor; throws <see cref="AlbertWeightException"/> listing all problems.
    /// </summary>
    /// <exception cref="AlbertConfigException">The config does not fit <paramref name="head"/> (question answering needs 2 labels) or breaks a size budget.</exception>
    public static AlbertCheckpoint Open(AlbertConfig config, string path, AlbertHead head)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.ValidateFor(head);
        if (!File.Exists(path))
            throw new FileNotFoundException($"weights file not found: {path}", path);
        var file = CheckpointFiles.Open(path);
        try
        {
            IReadOnlyList<WeightSpec> specs = AlbertWeightNames.For(config, head);
            string poolerWeight = AlbertWeightNames.BasePrefix + "pooler.weight", poolerBias = AlbertWeightNames.BasePrefix + "pooler.bias";
            bool hasPooler = head.HasPooler();
            if (head == AlbertHead.Base && !TryFind(file, poolerWeight, out _) && !TryFind(file, poolerBias, out _))
            {
                hasPooler = false;
                specs = specs.Where(s => s.Name != poolerWeight && s.Name != poolerBias).ToArray();
            }
            var problems = new List<string>();
            var resolved = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            foreach (var spec in specs)
            {
                if (!TryFind(file, spec.Name, out var entry))
                {
                    problems.Add($"missing tensor '{spec.Name}' {spec.ShapeText}");
                    continue;
                }
                if (!entry.Shape.SequenceEqual(spec.Shape))
                {
                    problems.Add($"tensor '{spec.Name}' has shape {entry.ShapeText}, the config needs {spec.ShapeText}");
                    continue;
                }
                if (entry.DTypeName == Int8Weights.DType && Int8Weights.IsQuantizable(spec.Name))
                {
                    if (CheckInt8(file, spec, entry, out var scale) is { } problem)
                    {
                        problems.Add(problem);
                        continue;
                    }
                    resolved[spec.Name] = entry;
                    resolved[spec.Name + Int8Weights.ScaleSuffix] = scale;
                    continue;
                }
                if (entry.DType is not (SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16))
                {
                    problems.Add($"tensor '{spec.Name}' has dtype {entry.DTypeName}; F32, F16 or BF16 expected"
                        + (Int8Weights.IsQuantizable(spec.Name) ? $" (or {Int8Weights.DType} with a '{spec.Name}{Int8Weights.ScaleSuffix}' tensor)" : ""));
                    continue;
                }
                resolved[spec.Name] = entry;
            }
            if (problems.Count > 0)
                throw new AlbertWeightException(path, problems);
            return new AlbertCheckpoint(file, resolved, config, head, specs, hasPooler);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>An int8 weight: in a safetensors file, values in [−127, 127], an F32 scale per row, finite and ≥ 0.</summary>
    static string? CheckInt8(ITensorFile file, WeightSpec spec, TensorEntry entry, out TensorEntry scale)
    {
        scale = entry;
        string scaleName = spec.Name + Int8Weights.ScaleSuffix;
        if (file is not SafeTensorsFile st)
            return $"tensor '{spec.Name}' is {Int8Weights.DType}; int8 weights are read from model.safetensors only";
        if (!TryFind(file, scaleName, out scale))
            return $"tensor '{spec.Name}' is {Int8Weights.DType} but its scale tensor '{scaleName}' (F32 [{spec.Shape[0]}]) is missing";
        if (scale.DType != SafeTensorsDType.F32)
            return $"tensor '{scaleName}' has dtype {scale.DTypeName}; F32 expected";
        if (scale.Shape.Length != 1 || scale.Shape[0] != spec.Shape[0])
            return $"tensor '{scaleName}' has shape {scale.ShapeText}, the config needs [{spec.Shape[0]}] (one scale per row of '{spec.Name}')";
        foreach (float x in st.GetFloat32Span(scale))
        {
            if (!float.IsFinite(x) || x < 0)
                return $"tensor '{scaleName}' holds {x}; scales must be finite and ≥ 0";
        }
        if (spec.Shape.Length > 1 && spec.Shape[1] > Kernels.QuantizedMatrix.MaxK)
            return $"tensor '{spec.Name}' has {spec.Shape[1]} inputs; int8 weights are limited to {Kernels.QuantizedMatrix.MaxK}";
        if (System.MemoryExtensions.IndexOf(st.GetBytes(entry), (byte)0x80) is int at && at >= 0)
            return $"tensor '{spec.Name}' holds −128 at element {at}; int8 weights must lie in [−127, 127]";
        return null;
    }

    static bool TryFind(ITensorFile file, string name, out TensorEntry entry)
    {
        if (file.TryGetEntry(name, out entry))
            return true;
        // bare AlbertModel checkpoint: encoder tensors without the "albert." prefix
        return name.StartsWith(AlbertWeightNames.BasePrefix, StringComparison.Ordinal)
            && file.TryGetEntry(name[AlbertWeightNames.BasePrefix.Length..], out entry);
    }

    /// <summary>A needed tensor as float32 (zero-copy for F32). Valid while this checkpoint is open.</summary>
    public ReadOnlyMemory<float> Get(string name)
    {
        if (name == WeightTable.UntiedDecoder && !_resolved.ContainsKey(name))
            name = AlbertWeightNames.BasePrefix + "embeddings.word_embeddings.weight";
        if (!_resolved.TryGetValue(name, out var e))
            throw new KeyNotFoundException($"{Path}: tensor '{name}' is not part of this model's weight list");
        if (e.DTypeName == Int8Weights.DType)
            throw new InvalidOperationException($"{Path}: tensor '{name}' is int8 (a quantized model, docs/quantization.md); read it with GetInt8 and GetScales");
        return _file.GetFloat32(e);
    }

    /// <summary>Whether the needed tensor <paramref name="name"/> is stored as int8 (with per-row scales).</summary>
    public bool IsInt8(string name) => _resolved.TryGetValue(name, out var e) && e.DTypeName == Int8Weights.DType;

    /// <summary>An int8 weight's values (a copy), row-major in its HF shape.</summary>
    public sbyte[] GetInt8(string name)
    {
        if (!IsInt8(name))
            throw new InvalidOperationException($"{Path}: tensor '{name}' is not an int8 weight of this model");
        var bytes = ((SafeTensorsFile)_file).GetBytes(_resolved[name]);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray();
    }

    /// <summary>An int8 weight's per-row scales (its <c>NAME_scale</c> tensor).</summary>
    public ReadOnlyMemory<float> GetScales(string name)
    {
        if (!IsInt8(name))
            throw new InvalidOperationException($"{Path}: tensor '{name}' is not an int8 weight of this model");
        return _file.GetFloat32(_resolved[name + Int8Weights.ScaleSuffix]);
    }

    /// <summary>Whether any needed tensor is int8 (an <c>albertgen quantize</c> model).</summary>
    public bool IsQuantized => _resolved.Values.Any(e => e.DTypeName == Int8Weights.DType);

    /// <summary>Drops a tensor's mapped pages from the resident set once it has been copied (see <see cref="ITensorFile.Evict"/>).</summary>
    public void Evict(string name)
    {
        if (_resolved.TryGetValue(name, out var e))
            _file.Evict(e);
    }

    /// <summary>A needed tensor copied into a new pinned array (small vectors that kernels address by pointer).</summary>
    public float[] GetPinnedCopy(string name)
    {
        var src = Get(name).Span;
        var arr = GC.AllocateArray<float>(src.Length, pinned: true);
        src.CopyTo(arr);
        return arr;
    }

    public void Dispose() => _file.Dispose();
}
