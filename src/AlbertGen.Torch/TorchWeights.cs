using System.Text.Json.Nodes;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Torch.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlbertGen.Torch;

/// <summary>
/// HF safetensors ↔ module parameters, by name. Reading goes through Core's <see cref="AlbertCheckpoint"/> (the
/// declared weight list, shape checks, bare or <c>albert.</c>-prefixed names, F16/BF16, tied decoder filled from
/// the word embeddings); writing through <see cref="SafeTensorsWriter"/> (atomic), without the tied
/// <c>predictions.decoder.*</c> aliases, as HF's <c>save_pretrained</c> does.
/// </summary>
public static class TorchWeights
{
    /// <summary>
    /// Each trainable parameter once, under its HF name, in Core's weight-list order (<see cref="AlbertWeightNames.For"/>):
    /// the tied <c>predictions.decoder.*</c> aliases are left out, so an optimiser updates a shared tensor once.
    /// (TorchSharp hands out a new wrapper per call, so identity cannot be used to find the aliases.)
    /// </summary>
    public static List<(string Name, Parameter Parameter)> UniqueParameters(AlbertForHead model)
    {
        var byName = model.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter, StringComparer.Ordinal);
        return AlbertWeightNames.For(model.Config, model.Head).Select(s => (s.Name, byName[s.Name])).ToList();
    }

    /// <summary>Copies every tensor of the model's weight list from <paramref name="checkpoint"/> into the parameters.</summary>
    public static void Load(AlbertForHead model, AlbertCheckpoint checkpoint)
    {
        var byName = model.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter, StringComparer.Ordinal);
        var problems = new List<string>();
        using (no_grad())
        {
            foreach (var spec in checkpoint.Specs)
            {
                if (!byName.TryGetValue(spec.Name, out var p))
                {
                    problems.Add($"the module has no parameter '{spec.Name}'");
                    continue;
                }
                if (!p.shape.SequenceEqual(spec.Shape.Select(x => (long)x)))
                {
                    problems.Add($"parameter '{spec.Name}' has shape [{string.Join(", ", p.shape)}], the checkpoint {spec.ShapeText}");
                    continue;
                }
                using var src = tensor(checkpoint.Get(spec.Name).ToArray(), Array.ConvertAll(spec.Shape, x => (long)x));
                p.copy_(src);
            }
        }
        if (problems.Count > 0)
            throw new AlbertWeightException(checkpoint.Path, problems);
    }

    /// <summary>
    /// HF's <c>_init_weights</c>: Linear and Embedding weights ~ normal(0, initializer_range) (the padding row of the
    /// word embeddings zeroed), biases 0, LayerNorm weight 1 / bias 0, <c>predictions.bias</c> 0. Deterministic in <paramref name="seed"/>.
    /// </summary>
    public static void InitializeHf(AlbertForHead model, long seed)
    {
        var c = model.Config;
        using var gen = new Generator((ulong)seed);
        using (no_grad())
        {
            foreach (var (name, p) in UniqueParameters(model))
            {
                if (IsLayerNorm(name))
                {
                    if (name.EndsWith(".weight", StringComparison.Ordinal)) p.fill_(1.0);
                    else p.zero_();
                }
                else if (name.EndsWith("bias", StringComparison.Ordinal))
                    p.zero_();
                else
                {
                    using var init = normal(0.0, c.InitializerRange, p.shape, generator: gen);
                    p.copy_(init);
                    if (name.EndsWith("embeddings.word_embeddings.weight", StringComparison.Ordinal))
                        p[c.PadTokenId].zero_();
                }
            }
        }
    }

    /// <summary>True for the parameters of LayerNorm modules (<c>LayerNorm</c>, <c>full_layer_layer_norm</c>).</summary>
    public static bool IsLayerNorm(string name) =>
        name.Contains("LayerNorm", StringComparison.Ordinal) || name.Contains("layer_norm", StringComparison.Ordinal);

    /// <summary>The tensors HF's <c>save_pretrained</c> writes for this model, as float32 host arrays.</summary>
    public static List<SafeTensorsWriter.Tensor> HfTensors(AlbertForHead model)
    {
        var byName = model.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter, StringComparer.Ordinal);
        var list = new List<SafeTensorsWriter.Tensor>();
        bool bare = model.Head == AlbertHead.Base;
        foreach (var spec in AlbertWeightNames.For(model.Config, model.Head))
        {
            var host = TorchAlbertOutput.ToHost(byName[spec.Name])!;
            string name = bare && spec.Name.StartsWith(AlbertWeightNames.BasePrefix, StringComparison.Ordinal)
                ? spec.Name[AlbertWeightNames.BasePrefix.Length..] : spec.Name;
            list.Add(new SafeTensorsWriter.Tensor(name, spec.Shape, host.Data));
        }
        return list;
    }

    /// <summary>Writes <c>model.safetensors</c> (atomically) with HF's names.</summary>
    public static void Save(AlbertForHead model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (metadata is not null)
        {
            foreach (var kv in metadata) meta[kv.Key] = kv.Value;
        }
        SafeTensorsWriter.Write(path, HfTensors(model), meta);
    }

    /// <summary>Writes a complete HF model folder: <c>config.json</c> (architectures = the head's HF class) and <c>model.safetensors</c>.</summary>
    public static void SavePretrained(AlbertForHead model, string directory, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(directory);
        Save(model, Path.Combine(directory, "model.safetensors"), metadata);
        var json = JsonNode.Parse(model.Config.ToJson())!.AsObject();
        json["architectures"] = new JsonArray(JsonValue.Create(model.Head.HfClassName()));
        var ordered = new JsonObject();
        foreach (var kv in json.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList())
        {
            json.Remove(kv.Key);
            ordered[kv.Key] = kv.Value;
        }
        AlbertGen.IO.AtomicFile.WriteAllText(Path.Combine(directory, "config.json"),
            ordered.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
