using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Rules;
using AlbertGen.SafeTensors;

namespace AlbertGen.Model;

/// <summary>
/// A weights file (<c>model.safetensors</c> or <c>pytorch_model.bin</c>, see <see cref="CheckpointFiles"/>) checked
/// against the tensor list a config and head need (<see cref="AlbertWeightNames.For"/>). Accepts <c>AlbertFor*</c> checkpoints (<c>albert.</c>-prefixed encoder
/// names) and bare <c>AlbertModel</c> ones; ties <c>predictions.decoder.weight</c> to the word embeddings when
/// <c>tie_word_embeddings</c> is set, as HF does. Safetensors tensors are memory-mapped (F32 ones not copied); a
/// <c>pytorch_model.bin</c>'s storages are read on first use.
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
                if (entry.DType is not (SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16))
                {
                    problems.Add($"tensor '{spec.Name}' has dtype {entry.DTypeName}; F32, F16 or BF16 expected");
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
        return _file.GetFloat32(e);
    }

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
