using System.Globalization;
using System.Text.Json;
using AlbertGen.Config;

namespace AlbertGen.Conversion;

/// <summary>
/// BERT weights and config out of an ONNX graph exported from PyTorch (<c>torch.onnx.export</c> of an HF BertModel).
/// Named initializers keep their state-dict names; a <c>Linear</c> becomes <c>MatMul</c> (weight unnamed, stored
/// [in, out]) followed by <c>Add</c> with the named bias, so the weight is found by graph structure and transposed to
/// HF's [out, in]; a <c>Gemm</c> (the pooler) carries its weight with <c>transB</c>. Sizes come from the weight shapes,
/// the head count from the attention's <c>Reshape</c> constants, <c>layer_norm_eps</c> from the LayerNorm's
/// epsilon (fused or decomposed), the activation from <c>Erf</c> (exact GELU).
/// </summary>
public static class OnnxBertWeights
{
    /// <summary>The graph's float tensors under BERT state-dict names (no <c>bert.</c> prefix); unnamed MatMul/Gemm weights named after their bias.</summary>
    public static Dictionary<string, (int[] Shape, float[] Data)> Extract(OnnxGraph graph, string source, List<string> leftOut)
    {
        var d = new Dictionary<string, (int[], float[])>(StringComparer.Ordinal);
        foreach (var t in graph.Initializers.Values)
        {
            if (!IsStateDictName(t.Name)) continue;
            if (t.Floats is null)
            {
                if (t.Name != "embeddings.position_ids" && !t.Name.EndsWith(".position_ids", StringComparison.Ordinal))
                    leftOut.Add($"{t.Name} (data type {t.DataType})");
                continue;
            }
            d[BertToAlbert.BertName(t.Name)] = (Shape(t, source), t.Floats);
        }
        var producer = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in graph.Nodes)
            foreach (var o in n.Outputs) producer[o] = n;
        foreach (var n in graph.Nodes)
        {
            if (n.OpType == "Add" && n.Inputs.Count == 2)
            {
                for (int k = 0; k < 2; k++)
                {
                    string biasName = n.Inputs[k];
                    if (!IsStateDictName(biasName) || !biasName.EndsWith(".bias", StringComparison.Ordinal)) continue;
                    if (!producer.TryGetValue(n.Inputs[1 - k], out var mm) || mm.OpType != "MatMul" || mm.Inputs.Count != 2) continue;
                    if (!graph.Initializers.TryGetValue(mm.Inputs[1], out var w) || w.Floats is null) continue;
                    string weightName = BertToAlbert.BertName(biasName[..^4] + "weight");
                    if (IsStateDictName(w.Name) || d.ContainsKey(weightName)) continue; // named: taken as it is
                    if (w.Dims.Length != 2)
                        throw new OnnxException($"{source}: the MatMul weight before '{biasName}' has shape {w.ShapeText}, a matrix expected");
                    d[weightName] = Transpose(w, source);
                }
            }
            else if (n.OpType == "Gemm" && n.Inputs.Count == 3 && IsStateDictName(n.Inputs[2]) && n.Inputs[2].EndsWith(".bias", StringComparison.Ordinal))
            {
                if (!graph.Initializers.TryGetValue(n.Inputs[1], out var w) || w.Floats is null || w.Dims.Length != 2) continue;
                if (n.IntAttributes.GetValueOrDefault("transA") != 0) continue;
                string weightName = BertToAlbert.BertName(n.Inputs[2][..^4] + "weight");
                bool transB = n.IntAttributes.GetValueOrDefault("transB") != 0;
                d[weightName] = transB ? (Shape(w, source), w.Floats) : Transpose(w, source);
            }
        }
        if (!d.ContainsKey("embeddings.word_embeddings.weight"))
            throw new OnnxException($"{source}: no initializer 'embeddings.word_embeddings.weight': not a BERT graph exported from PyTorch with its parameter names");
        return d;
    }

    /// <summary>An HF state-dict name (<c>embeddings.…</c>, <c>encoder.layer.…</c>, optionally under <c>bert.</c>), not an exporter's number.</summary>
    static bool IsStateDictName(string name) =>
        name.Contains('.') && !name.StartsWith("onnx::", StringComparison.Ordinal) && !name.StartsWith('/') && char.IsLetter(name[0]);

    static int[] Shape(OnnxTensor t, string source)
    {
        var s = new int[t.Dims.Length];
        for (int i = 0; i < s.Length; i++) s[i] = checked((int)t.Dims[i]);
        return s;
    }

    static (int[], float[]) Transpose(OnnxTensor w, string source)
    {
        int rows = checked((int)w.Dims[0]), cols = checked((int)w.Dims[1]);
        var src = w.Floats!;
        var dst = new float[src.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                dst[c * rows + r] = src[r * cols + c];
        return ([cols, rows], dst);
    }

    /// <summary>The ALBERT config of a BERT graph without a config.json: sizes from the weights, heads, epsilon and activation from the graph.</summary>
    public static AlbertConfig InferConfig(OnnxGraph graph, Dictionary<string, (int[] Shape, float[] Data)> bert, string source)
    {
        int[] Dims(string name) => bert.TryGetValue(name, out var t) ? t.Shape
            : throw new OnnxException($"{source}: no tensor '{name}' (put the model's config.json beside the .onnx file)");
        var word = Dims("embeddings.word_embeddings.weight");
        int vocab = word[0], hidden = word[1];
        int maxPos = Dims("embeddings.position_embeddings.weight")[0];
        int typeVocab = Dims("embeddings.token_type_embeddings.weight")[0];
        int layers = 0;
        while (bert.ContainsKey($"encoder.layer.{layers.ToString(CultureInfo.InvariantCulture)}.attention.self.query.bias")) layers++;
        if (layers == 0)
            throw new OnnxException($"{source}: no 'encoder.layer.0.attention.self.query.bias': not a BERT encoder");
        int intermediate = Dims("encoder.layer.0.intermediate.dense.weight")[0];
        int heads = HeadCount(graph, hidden, source);
        float eps = LayerNormEpsilon(graph, source);
        string act = graph.Nodes.Any(n => n.OpType == "Erf") ? "gelu"
            : throw new OnnxException($"{source}: cannot tell the activation (no Erf node, as exact GELU exports have); put the model's config.json beside the .onnx file");
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("model_type", "albert");
            w.WriteStartArray("architectures");
            w.WriteStringValue(BertToAlbert.AlbertArchitecture(null, bert));
            w.WriteEndArray();
            w.WriteNumber("vocab_size", vocab);
            w.WriteNumber("embedding_size", hidden);
            w.WriteNumber("hidden_size", hidden);
            w.WriteNumber("num_hidden_layers", layers);
            w.WriteNumber("num_hidden_groups", layers);
            w.WriteNumber("inner_group_num", 1);
            w.WriteNumber("num_attention_heads", heads);
            w.WriteNumber("intermediate_size", intermediate);
            w.WriteString("hidden_act", act);
            w.WriteNumber("hidden_dropout_prob", 0.1);
            w.WriteNumber("attention_probs_dropout_prob", 0.1);
            w.WriteNumber("max_position_embeddings", maxPos);
            w.WriteNumber("type_vocab_size", typeVocab);
            w.WriteNumber("initializer_range", 0.02);
            w.WriteNumber("layer_norm_eps", eps);
            w.WriteNumber("pad_token_id", 0);
            w.WriteEndObject();
        }
        return AlbertConfig.Parse(ms.ToArray(), source);
    }

    /// <summary>
    /// The attention's head count: the query projection is reshaped to (batch, seq, heads, head_size); the shape is an
    /// INT64 constant or a Concat whose last two parts are constants with heads × head_size = hidden_size.
    /// </summary>
    static int HeadCount(OnnxGraph graph, int hidden, string source)
    {
        var producer = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in graph.Nodes)
            foreach (var o in n.Outputs) producer[o] = n;
        var query = graph.Nodes.FirstOrDefault(n => n.OpType == "Add" && n.Inputs.Any(i => BertToAlbert.BertName(i) == "encoder.layer.0.attention.self.query.bias"));
        if (query is not null)
        {
            foreach (var r in graph.Nodes.Where(n => n.OpType == "Reshape" && n.Inputs.Count == 2 && n.Inputs[0] == query.Outputs[0]))
            {
                var parts = new List<long?>();
                if (ConstInts(graph, producer, r.Inputs[1]) is { } direct)
                    parts.AddRange(direct.Select(v => (long?)v));
                else if (producer.TryGetValue(r.Inputs[1], out var concat) && concat.OpType == "Concat")
                    foreach (var i in concat.Inputs)
                        parts.Add(ConstInts(graph, producer, i) is [var v] ? v : null);
                if (parts.Count == 4 && parts[2] is long h && parts[3] is long s && h > 0 && (s == -1 || h * s == hidden))
                    return checked((int)h);
            }
        }
        throw new OnnxException($"{source}: cannot find the attention head count in the graph; put the model's config.json beside the .onnx file");
    }

    /// <summary>The INT64 values of a constant (an initializer, a Constant node, or an Unsqueeze of one); null when not constant.</summary>
    static long[]? ConstInts(OnnxGraph graph, Dictionary<string, OnnxNode> producer, string name)
    {
        if (graph.Initializers.TryGetValue(name, out var t)) return t.Int64s;
        if (!producer.TryGetValue(name, out var n)) return null;
        if (n.OpType == "Constant") return n.TensorAttributes.TryGetValue("value", out var v) ? v.Int64s : null;
        if (n.OpType == "Unsqueeze" && n.Inputs.Count >= 1) return ConstInts(graph, producer, n.Inputs[0]) is [var s] ? [s] : null;
        return null;
    }

    /// <summary>A LayerNormalization's <c>epsilon</c>, or in a decomposed LayerNorm the constant added to ReduceMean(Pow(x − mean, 2)).</summary>
    static float LayerNormEpsilon(OnnxGraph graph, string source)
    {
        foreach (var n in graph.Nodes)
            if (n.OpType == "LayerNormalization")
                return n.FloatAttributes.TryGetValue("epsilon", out float e) ? e : 1e-5f;
        var producer = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in graph.Nodes)
            foreach (var o in n.Outputs) producer[o] = n;
        foreach (var n in graph.Nodes.Where(n => n.OpType == "Add" && n.Inputs.Count == 2))
        {
            for (int k = 0; k < 2; k++)
            {
                if (!producer.TryGetValue(n.Inputs[k], out var mean) || mean.OpType != "ReduceMean") continue;
                if (!producer.TryGetValue(mean.Inputs[0], out var pow) || pow.OpType != "Pow") continue;
                string c = n.Inputs[1 - k];
                float[]? value = graph.Initializers.TryGetValue(c, out var t) ? t.Floats
                    : producer.TryGetValue(c, out var cn) && cn.OpType == "Constant" && cn.TensorAttributes.TryGetValue("value", out var cv) ? cv.Floats : null;
                if (value is [var eps]) return eps;
            }
        }
        throw new OnnxException($"{source}: cannot find the LayerNorm epsilon in the graph; put the model's config.json beside the .onnx file");
    }
}
