using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Torch.Modules;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Distillation;

/// <summary>
/// The distillation teacher: an HF ALBERT folder shaped as a BERT (embedding_size = hidden_size, inner_group_num 1;
/// usually one group per layer, as <c>albertgen convert</c> writes a BERT), loaded as <c>AlbertModel</c>. Its pooler
/// is optional (ONNX exports often leave it out); every other encoder tensor must be there with its shape.
/// </summary>
public sealed class TeacherModel : IDisposable
{
    TeacherModel(AlbertForHead model, bool hasPooler)
    {
        Model = model;
        HasPooler = hasPooler;
    }

    public AlbertForHead Model { get; }
    public AlbertConfig Config => Model.Config;
    /// <summary>Whether the teacher's file had <c>pooler.*</c>.</summary>
    public bool HasPooler { get; }

    /// <summary>Refuses a config that is not BERT-shaped, naming the key.</summary>
    public static void CheckShape(AlbertConfig c, string directory)
    {
        if (c.EmbeddingSize != c.HiddenSize)
            throw new ArgumentException($"--teacher {directory}: embedding_size {c.EmbeddingSize} ≠ hidden_size {c.HiddenSize}; the teacher must be BERT-shaped (an ALBERT with embedding_size = hidden_size, e.g. from albertgen convert)");
        if (c.InnerGroupNum != 1)
            throw new ArgumentException($"--teacher {directory}: inner_group_num is {c.InnerGroupNum}; the teacher must be BERT-shaped (inner_group_num 1)");
    }

    public static TeacherModel Load(string directory, Device device)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"--teacher: folder not found: {directory}");
        var config = AlbertConfig.Load(directory);
        CheckShape(config, directory);
        config.ValidateFor(AlbertHead.Base);
        string weights = CheckpointFiles.Find(directory);
        var model = new AlbertForHead(config, AlbertHead.Base);
        try
        {
            bool hasPooler = LoadWeights(model, weights);
            model.MoveTo(device);
            model.eval();
            return new TeacherModel(model, hasPooler);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Copies the encoder tensors (names bare or <c>albert.</c>-prefixed); returns whether the pooler was there.</summary>
    static bool LoadWeights(AlbertForHead model, string path)
    {
        using var file = CheckpointFiles.Open(path);
        var byName = model.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter, StringComparer.Ordinal);
        var problems = new List<string>();
        bool pooler = true;
        using (no_grad())
        {
            foreach (var spec in AlbertWeightNames.For(model.Config, AlbertHead.Base))
            {
                string bare = spec.Name.StartsWith(AlbertWeightNames.BasePrefix, StringComparison.Ordinal) ? spec.Name[AlbertWeightNames.BasePrefix.Length..] : spec.Name;
                bool isPooler = bare.StartsWith("pooler.", StringComparison.Ordinal);
                if (!file.TryGetEntry(spec.Name, out var e) && !file.TryGetEntry(bare, out e))
                {
                    if (isPooler) pooler = false;
                    else problems.Add($"missing tensor '{bare}' {spec.ShapeText}");
                    continue;
                }
                if (!e.Shape.SequenceEqual(spec.Shape))
                {
                    problems.Add($"tensor '{e.Name}' has shape [{string.Join(", ", e.Shape)}], expected {spec.ShapeText}");
                    continue;
                }
                using var src = tensor(file.ReadFloat32Array(e.Name), Array.ConvertAll(spec.Shape, x => (long)x));
                byName[spec.Name].copy_(src);
            }
        }
        if (problems.Count > 0)
            throw new AlbertWeightException(path, problems);
        return pooler;
    }

    /// <summary>HF's hidden_states without gradients: num_hidden_layers + 1 tensors (B, S, H).</summary>
    public Tensor[] HiddenStates(TorchBatch batch)
    {
        using var noGrad = no_grad();
        return Model.Albert.HiddenStates(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
    }

    public void Dispose() => Model.Dispose();
}
