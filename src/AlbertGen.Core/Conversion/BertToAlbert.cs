using System.Globalization;
using System.Text;
using System.Text.Json;
using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Json;
using AlbertGen.Model;
using AlbertGen.SafeTensors;

namespace AlbertGen.Conversion;

/// <summary>
/// A BERT-family encoder as an ALBERT of the same function (docs/decisions.md D31): <c>embedding_size = hidden_size</c>,
/// an identity <c>embedding_hidden_mapping_in</c> (zero bias), one layer group per layer (<c>num_hidden_groups =
/// num_hidden_layers</c>, <c>inner_group_num = 1</c>); BERT's layer computes what ALBERT's does, tensor for tensor.
/// Reads an HF folder with <c>model_type</c> bert (<c>model.safetensors</c> or <c>pytorch_model.bin</c>) or an ONNX
/// graph exported from PyTorch (<see cref="OnnxBertWeights"/>); writes a plain HF ALBERT folder (config.json,
/// model.safetensors float32) plus the tokenizer and sentence-transformers files found beside the source.
/// </summary>
public static class BertToAlbert
{
    /// <summary>What a conversion wrote.</summary>
    public sealed record Result(string Source, AlbertConfig Config, int TensorCount, long Floats, IReadOnlyList<string> LeftOut, IReadOnlyList<string> CopiedFiles);

    /// <summary>Tokenizer files (HF names) carried over beside the weights; the sentence-transformers files go too
    /// (<see cref="IO.SentenceTransformersFiles"/>).</summary>
    public static readonly string[] CarriedFiles =
    [
        "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "spiece.model",
    ];

    /// <summary>True when <paramref name="path"/> is something this converter reads: an .onnx file, or a folder holding a BERT config.json or an .onnx graph.</summary>
    public static bool IsBertSource(string path)
    {
        if (File.Exists(path)) return path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
        if (!Directory.Exists(path)) return false;
        string? type = ReadModelType(Path.Combine(path, "config.json"));
        return type is "bert" || (type is null && FindOnnx(path) is not null);
    }

    /// <summary>The .onnx graph to read for <paramref name="from"/>: the file itself, or a folder's graph when it has no HF weights file.</summary>
    static string? OnnxSource(string from)
    {
        if (File.Exists(from)) return from;
        if (!Directory.Exists(from)) return null;
        bool hfWeights = File.Exists(Path.Combine(from, CheckpointFiles.SafeTensorsName)) || File.Exists(Path.Combine(from, CheckpointFiles.PyTorchBinName));
        return hfWeights ? null : FindOnnx(from);
    }

    /// <summary>Converts <paramref name="from"/> (a BERT HF folder, an .onnx file or a folder with one) into <paramref name="outDir"/>.</summary>
    public static Result Convert(string from, string outDir)
    {
        string sourceDir;
        AlbertConfig config;
        Dictionary<string, (int[] Shape, float[] Data)> bert;
        string source;
        var leftOut = new List<string>();
        // an HF folder's own weights win over a graph beside them (optimum's exports hold only model.onnx + config.json)
        string? onnxPath = OnnxSource(from);
        if (onnxPath is not null)
        {
            if (!onnxPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                throw new OnnxException($"{onnxPath}: not an .onnx file (convert reads a BERT HF folder, an .onnx graph or a folder with one)");
            sourceDir = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
            var graph = OnnxGraph.Load(onnxPath);
            bert = OnnxBertWeights.Extract(graph, onnxPath, leftOut);
            string beside = Path.Combine(sourceDir, "config.json");
            config = ReadModelType(beside) is "bert"
                ? ConfigFromBert(File.ReadAllBytes(beside), beside, bert)
                : OnnxBertWeights.InferConfig(graph, bert, onnxPath);
            source = onnxPath;
        }
        else
        {
            if (!Directory.Exists(from))
                throw new DirectoryNotFoundException($"model folder not found: {from}");
            sourceDir = from;
            string configPath = Path.Combine(from, "config.json");
            if (ReadModelType(configPath) is not "bert")
                throw new AlbertConfigException(configPath, "model_type", "a BERT folder (model_type \"bert\") or an .onnx graph expected");
            string weights = CheckpointFiles.Find(from);
            bert = ReadBertTensors(weights, leftOut);
            config = ConfigFromBert(File.ReadAllBytes(configPath), configPath, bert);
            source = weights;
        }

        var tensors = ToAlbert(bert, config, leftOut);
        Directory.CreateDirectory(outDir);
        string target = Path.Combine(outDir, CheckpointFiles.SafeTensorsName);
        SafeTensorsWriter.Write(target, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        AtomicWriteText(Path.Combine(outDir, "config.json"), config.ToJson());
        // the output must load as what it claims to be: every tensor of the default head, right shapes
        using (AlbertCheckpoint.Open(AlbertConfig.Load(outDir), target, config.DefaultHead)) { }
        var copied = CopyCarriedFiles(sourceDir, outDir);
        return new Result(source, config, tensors.Count, tensors.Sum(t => (long)t.Data.Length), leftOut, copied);
    }

    static void AtomicWriteText(string path, string text) =>
        IO.AtomicFile.WriteAllText(path, text);

    /// <summary>The .onnx graph in a folder: <c>model.onnx</c>, <c>onnx/model.onnx</c>, or the only .onnx file there.</summary>
    static string? FindOnnx(string dir)
    {
        foreach (var p in (ReadOnlySpan<string>)[Path.Combine(dir, "model.onnx"), Path.Combine(dir, "onnx", "model.onnx")])
            if (File.Exists(p)) return p;
        var all = Directory.GetFiles(dir, "*.onnx");
        return all.Length == 1 ? all[0] : null;
    }

    static string? ReadModelType(string configPath)
    {
        if (!File.Exists(configPath)) return null;
        using var doc = StrictJson.ParseFile(configPath, default, (key, message, inner) => new AlbertConfigException(configPath, key, message, inner));
        return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("model_type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString() : null;
    }

    static Dictionary<string, (int[] Shape, float[] Data)> ReadBertTensors(string weights, List<string> leftOut)
    {
        var d = new Dictionary<string, (int[], float[])>(StringComparer.Ordinal);
        using var file = CheckpointFiles.Open(weights);
        foreach (var e in file.Tensors)
        {
            if (e.DType is not (SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16))
            {
                leftOut.Add($"{e.Name} ({e.DTypeName})");
                continue;
            }
            d[BertName(e.Name)] = (e.Shape.ToArray(), file.ReadFloat32Array(e.Name));
        }
        return d;
    }

    /// <summary>A BERT state-dict name without the <c>bert.</c> prefix, TF-era <c>gamma</c>/<c>beta</c> as <c>weight</c>/<c>bias</c> (HF does the same on load).</summary>
    internal static string BertName(string name)
    {
        if (name.StartsWith("bert.", StringComparison.Ordinal)) name = name[5..];
        if (name.EndsWith("LayerNorm.gamma", StringComparison.Ordinal)) name = name[..^5] + "weight";
        else if (name.EndsWith("LayerNorm.beta", StringComparison.Ordinal)) name = name[..^4] + "bias";
        return name;
    }

    /// <summary>HF BertConfig's defaults for the keys a BERT config.json may leave out.</summary>
    static readonly (string Key, object Value)[] BertDefaults =
    [
        ("vocab_size", 30522), ("hidden_size", 768), ("num_hidden_layers", 12), ("num_attention_heads", 12),
        ("intermediate_size", 3072), ("hidden_act", "gelu"), ("hidden_dropout_prob", 0.1), ("attention_probs_dropout_prob", 0.1),
        ("max_position_embeddings", 512), ("type_vocab_size", 2), ("initializer_range", 0.02), ("layer_norm_eps", 1e-12),
        ("pad_token_id", 0), ("position_embedding_type", "absolute"),
    ];

    /// <summary>The keys carried from a BERT config as they are (labels and the task's problem type).</summary>
    static readonly string[] CarriedKeys = ["id2label", "label2id", "num_labels", "problem_type", "tie_word_embeddings", "classifier_dropout_prob"];

    /// <summary>The ALBERT config of a BERT config.json (BERT's defaults for missing keys) and the architecture its weights support.</summary>
    internal static AlbertConfig ConfigFromBert(byte[] json, string source, Dictionary<string, (int[] Shape, float[] Data)> bert)
    {
        using var doc = StrictJson.Parse(json, default, (key, message, inner) => new AlbertConfigException(source, key, message, inner));
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new AlbertConfigException(source, null, $"expected a JSON object, found {root.ValueKind}");
        string? arch = root.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0
            && a[0].ValueKind == JsonValueKind.String ? a[0].GetString() : null;
        if (root.TryGetProperty("position_embedding_type", out var pe) && pe.ValueKind == JsonValueKind.String && pe.GetString() != "absolute")
            throw new AlbertConfigException(source, "position_embedding_type", $"'{pe.GetString()}': only absolute position embeddings convert (ALBERT has no relative ones)");
        if (root.TryGetProperty("is_decoder", out var dec) && dec.ValueKind == JsonValueKind.True)
            throw new AlbertConfigException(source, "is_decoder", "a BERT decoder (causal attention) does not convert to ALBERT");
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("model_type", "albert");
            foreach (var (key, def) in BertDefaults)
            {
                if (root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null)
                {
                    w.WritePropertyName(key);
                    v.WriteTo(w);
                }
                else if (def is int i) w.WriteNumber(key, i);
                else if (def is double dd) w.WriteNumber(key, dd);
                else w.WriteString(key, (string)def);
            }
            foreach (var key in CarriedKeys)
            {
                if (root.TryGetProperty(key, out var v))
                {
                    w.WritePropertyName(key);
                    v.WriteTo(w);
                }
            }
            int hidden = root.TryGetProperty("hidden_size", out var h) && h.TryGetInt32(out int hv) ? hv : 768;
            int layers = root.TryGetProperty("num_hidden_layers", out var l) && l.TryGetInt32(out int lv) ? lv : 12;
            w.WriteNumber("embedding_size", hidden);
            w.WriteNumber("num_hidden_groups", layers);
            w.WriteNumber("inner_group_num", 1);
            w.WriteStartArray("architectures");
            w.WriteStringValue(AlbertArchitecture(arch, bert));
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return AlbertConfig.Parse(ms.ToArray(), source);
    }

    /// <summary>The ALBERT class a BERT checkpoint's tensors support: its head's twin when the head's tensors are there, else <c>AlbertModel</c>.</summary>
    internal static string AlbertArchitecture(string? bertArchitecture, IReadOnlyDictionary<string, (int[] Shape, float[] Data)> bert) => bertArchitecture switch
    {
        "BertForMaskedLM" or "BertForPreTraining" when bert.ContainsKey("cls.predictions.transform.dense.weight") => "AlbertForMaskedLM",
        "BertForSequenceClassification" when bert.ContainsKey("classifier.weight") && bert.ContainsKey("pooler.dense.weight") => "AlbertForSequenceClassification",
        "BertForTokenClassification" when bert.ContainsKey("classifier.weight") => "AlbertForTokenClassification",
        "BertForQuestionAnswering" when bert.ContainsKey("qa_outputs.weight") => "AlbertForQuestionAnswering",
        "BertForMultipleChoice" when bert.ContainsKey("classifier.weight") && bert.ContainsKey("pooler.dense.weight") => "AlbertForMultipleChoice",
        _ => "AlbertModel",
    };

    /// <summary>BERT layer names → ALBERT's (after <c>encoder.layer.N.</c> / <c>albert_layers.0.</c>).</summary>
    static readonly (string Bert, string Albert)[] LayerNames =
    [
        ("attention.self.query.", "attention.query."),
        ("attention.self.key.", "attention.key."),
        ("attention.self.value.", "attention.value."),
        ("attention.output.dense.", "attention.dense."),
        ("attention.output.LayerNorm.", "attention.LayerNorm."),
        ("intermediate.dense.", "ffn."),
        ("output.dense.", "ffn_output."),
        ("output.LayerNorm.", "full_layer_layer_norm."),
    ];

    /// <summary>Head tensors that keep their names or map one-to-one (the BERT MLM transform is ALBERT's predictions block when E = H).</summary>
    static readonly (string Bert, string Albert)[] HeadNames =
    [
        ("pooler.dense.weight", "albert.pooler.weight"),
        ("pooler.dense.bias", "albert.pooler.bias"),
        ("cls.predictions.bias", "predictions.bias"),
        ("cls.predictions.transform.dense.weight", "predictions.dense.weight"),
        ("cls.predictions.transform.dense.bias", "predictions.dense.bias"),
        ("cls.predictions.transform.LayerNorm.weight", "predictions.LayerNorm.weight"),
        ("cls.predictions.transform.LayerNorm.bias", "predictions.LayerNorm.bias"),
        ("classifier.weight", "classifier.weight"),
        ("classifier.bias", "classifier.bias"),
        ("qa_outputs.weight", "qa_outputs.weight"),
        ("qa_outputs.bias", "qa_outputs.bias"),
    ];

    /// <summary>HF names of the embeddings, shared by both models (under <c>albert.</c> in ALBERT).</summary>
    static readonly string[] EmbeddingNames =
    [
        "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
        "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
    ];

    internal static List<SafeTensorsWriter.Tensor> ToAlbert(Dictionary<string, (int[] Shape, float[] Data)> bert, AlbertConfig config, List<string> leftOut)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<SafeTensorsWriter.Tensor>();
        void Add(string bertName, string albertName)
        {
            if (!bert.TryGetValue(bertName, out var t)) return;
            list.Add(new SafeTensorsWriter.Tensor(albertName, t.Shape, t.Data));
            used.Add(bertName);
        }
        foreach (var n in EmbeddingNames)
            Add(n, AlbertWeightNames.BasePrefix + n);
        int h = config.HiddenSize;
        var identity = new float[h * h];
        for (int i = 0; i < h; i++) identity[i * h + i] = 1f;
        list.Add(new SafeTensorsWriter.Tensor("albert.encoder.embedding_hidden_mapping_in.weight", [h, h], identity));
        list.Add(new SafeTensorsWriter.Tensor("albert.encoder.embedding_hidden_mapping_in.bias", [h], new float[h]));
        for (int layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            string bp = "encoder.layer." + layer.ToString(CultureInfo.InvariantCulture) + ".";
            string ap = AlbertWeightNames.LayerPrefix(layer, 0);
            foreach (var (b, a) in LayerNames)
            {
                Add(bp + b + "weight", ap + a + "weight");
                Add(bp + b + "bias", ap + a + "bias");
            }
        }
        foreach (var (b, a) in HeadNames)
            Add(b, a);
        // the MLM decoder: tied to the word embeddings in BERT as in ALBERT; its own copy only when it differs
        if (bert.TryGetValue("cls.predictions.decoder.weight", out var dec) && bert.TryGetValue("embeddings.word_embeddings.weight", out var emb)
            && dec.Data.AsSpan().SequenceEqual(emb.Data))
            used.Add("cls.predictions.decoder.weight");
        if (bert.ContainsKey("cls.predictions.decoder.bias")) used.Add("cls.predictions.decoder.bias"); // an alias of cls.predictions.bias
        used.Add("embeddings.position_ids"); // a buffer, not a parameter
        foreach (var name in bert.Keys.Order(StringComparer.Ordinal))
            if (!used.Contains(name)) leftOut.Add(name);
        return list;
    }

    static List<string> CopyCarriedFiles(string fromDir, string outDir)
    {
        var copied = new List<string>();
        if (Path.GetFullPath(fromDir) == Path.GetFullPath(outDir)) return copied;
        foreach (var name in CarriedFiles)
        {
            string src = Path.Combine(fromDir, name);
            if (!File.Exists(src)) continue;
            File.Copy(src, Path.Combine(outDir, name), overwrite: true);
            copied.Add(name);
        }
        copied.AddRange(IO.SentenceTransformersFiles.Copy(fromDir, outDir));
        return copied;
    }
}
