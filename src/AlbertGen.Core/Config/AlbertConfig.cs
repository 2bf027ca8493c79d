using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AlbertGen.Config;

/// <summary>
/// HF <c>AlbertConfig</c>: the keys of <c>config.json</c> with HF's defaults, plus the label and architecture
/// fields of <c>PretrainedConfig</c> that the heads read. Google's original <c>albert_config.json</c> is accepted
/// too (its extra keys are ignored; its <c>"gelu"</c> is the tanh form, see docs/decisions.md).
/// Immutable once validated.
/// </summary>
public sealed class AlbertConfig
{
    public int VocabSize { get; init; } = 30000;
    public int EmbeddingSize { get; init; } = 128;
    public int HiddenSize { get; init; } = 4096;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumHiddenGroups { get; init; } = 1;
    public int NumAttentionHeads { get; init; } = 64;
    public int IntermediateSize { get; init; } = 16384;
    public int InnerGroupNum { get; init; } = 1;
    /// <summary>The <c>hidden_act</c> string as written.</summary>
    public string HiddenAct { get; init; } = "gelu_new";
    public float HiddenDropoutProb { get; init; }
    public float AttentionProbsDropoutProb { get; init; }
    public int MaxPositionEmbeddings { get; init; } = 512;
    public int TypeVocabSize { get; init; } = 2;
    public float InitializerRange { get; init; } = 0.02f;
    public float LayerNormEps { get; init; } = 1e-12f;
    public float ClassifierDropoutProb { get; init; } = 0.1f;
    public string PositionEmbeddingType { get; init; } = "absolute";
    public int PadTokenId { get; init; }
    public int BosTokenId { get; init; } = 2;
    public int EosTokenId { get; init; } = 3;
    public bool TieWordEmbeddings { get; init; } = true;
    /// <summary>HF class names from <c>architectures</c>; empty when absent.</summary>
    public IReadOnlyList<string> Architectures { get; init; } = [];
    /// <summary><c>regression</c>, <c>single_label_classification</c>, <c>multi_label_classification</c> or null.</summary>
    public string? ProblemType { get; init; }
    /// <summary>Label names by id (from <c>id2label</c>, else <c>LABEL_i</c> for <c>num_labels</c>, default 2).</summary>
    public IReadOnlyList<string> Id2Label { get; init; } = ["LABEL_0", "LABEL_1"];
    /// <summary>Where this config came from (file path), for error messages.</summary>
    public string SourceName { get; init; } = "config.json";
    /// <summary>True when read from Google's original <c>albert_config.json</c> format.</summary>
    public bool IsGoogleFormat { get; init; }

    public int NumLabels => Id2Label.Count;
    public int HeadSize => HiddenSize / NumAttentionHeads;
    public ActivationKind Activation => Activations.TryParse(HiddenAct, out var k) ? k
        : throw new AlbertConfigException(SourceName, "hidden_act", $"unknown activation '{HiddenAct}'");

    /// <summary>HF's layer → group formula: <c>int(i / (num_hidden_layers / num_hidden_groups))</c>, float division then truncation.</summary>
    public int GroupOfLayer(int layer) => (int)(layer / ((double)NumHiddenLayers / NumHiddenGroups));

    /// <summary>The head HF's <c>architectures</c> names (first one we know), else <see cref="AlbertHead.Base"/>.</summary>
    public AlbertHead DefaultHead
    {
        get
        {
            foreach (var a in Architectures)
            {
                if (AlbertHeads.TryParseHfClassName(a, out var h))
                    return h;
            }
            return AlbertHead.Base;
        }
    }

    public static readonly string[] AllowedProblemTypes = ["regression", "single_label_classification", "multi_label_classification"];

    /// <summary>Keys only Google's original <c>albert_config.json</c> has.</summary>
    static readonly string[] GoogleOnlyKeys = ["net_structure_type", "gap_size", "num_memory_blocks", "down_scale_factor"];

    /// <summary>Reads and validates a config file. Errors name the file and the key.</summary>
    public static AlbertConfig Load(string path)
    {
        if (Directory.Exists(path))
        {
            var hf = Path.Combine(path, "config.json");
            var google = Path.Combine(path, "albert_config.json");
            path = File.Exists(hf) ? hf : File.Exists(google) ? google
                : throw new FileNotFoundException($"{path}: no config.json or albert_config.json in this folder", hf);
        }
        if (!File.Exists(path))
            throw new FileNotFoundException($"config file not found: {path}", path);
        return Parse(File.ReadAllText(path, Encoding.UTF8), path);
    }

    /// <summary>Parses and validates config JSON; <paramref name="sourceName"/> is used in error messages.</summary>
    public static AlbertConfig Parse(string json, string sourceName = "config.json")
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new AlbertConfigException(sourceName, null, $"malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new AlbertConfigException(sourceName, null, $"expected a JSON object, found {root.ValueKind}");
            var r = new Reader(root, sourceName);
            string? modelType = r.String("model_type");
            if (modelType is not null && modelType != "albert")
                throw new AlbertConfigException(sourceName, "model_type", $"expected 'albert', found '{modelType}'");
            bool google = modelType is null && GoogleOnlyKeys.Any(k => root.TryGetProperty(k, out _));

            string hiddenAct = r.String("hidden_act") ?? "gelu_new";
            // Google's BERT/ALBERT "gelu" is the tanh approximation (modeling.py); HF's converted configs say gelu_new.
            if (google && hiddenAct == "gelu")
                hiddenAct = "gelu_new";

            var id2label = r.Id2Label();
            var config = new AlbertConfig
            {
                SourceName = sourceName,
                IsGoogleFormat = google,
                VocabSize = r.Int("vocab_size") ?? 30000,
                EmbeddingSize = r.Int("embedding_size") ?? 128,
                HiddenSize = r.Int("hidden_size") ?? 4096,
                NumHiddenLayers = r.Int("num_hidden_layers") ?? 12,
                NumHiddenGroups = r.Int("num_hidden_groups") ?? 1,
                NumAttentionHeads = r.Int("num_attention_heads") ?? 64,
                IntermediateSize = r.Int("intermediate_size") ?? 16384,
                InnerGroupNum = r.Int("inner_group_num") ?? 1,
                HiddenAct = hiddenAct,
                HiddenDropoutProb = r.Float("hidden_dropout_prob") ?? 0f,
                AttentionProbsDropoutProb = r.Float("attention_probs_dropout_prob") ?? 0f,
                MaxPositionEmbeddings = r.Int("max_position_embeddings") ?? 512,
                TypeVocabSize = r.Int("type_vocab_size") ?? 2,
                InitializerRange = r.Float("initializer_range") ?? 0.02f,
                LayerNormEps = r.Float("layer_norm_eps") ?? 1e-12f,
                ClassifierDropoutProb = r.Float("classifier_dropout_prob") ?? 0.1f,
                PositionEmbeddingType = r.String("position_embedding_type") ?? "absolute",
                PadTokenId = r.Int("pad_token_id") ?? 0,
                BosTokenId = r.Int("bos_token_id") ?? 2,
                EosTokenId = r.Int("eos_token_id") ?? 3,
                TieWordEmbeddings = r.Bool("tie_word_embeddings") ?? true,
                Architectures = r.StringArray("architectures") ?? [],
                ProblemType = r.String("problem_type"),
                Id2Label = id2label ?? DefaultLabels(r.Int("num_labels") ?? 2, sourceName),
            };
            config.Validate();
            return config;
        }
    }

    static string[] DefaultLabels(int n, string source)
    {
        if (n < 1 || n > 1_000_000)
            throw new AlbertConfigException(source, "num_labels", $"must be between 1 and 1000000, found {n}");
        return Enumerable.Range(0, n).Select(i => "LABEL_" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Checks the invariants HF's modeling code relies on; throws naming the key.</summary>
    public void Validate()
    {
        void Positive(string key, int value)
        {
            if (value <= 0)
                throw new AlbertConfigException(SourceName, key, $"must be positive, found {value}");
        }
        Positive("vocab_size", VocabSize);
        Positive("embedding_size", EmbeddingSize);
        Positive("hidden_size", HiddenSize);
        Positive("num_hidden_layers", NumHiddenLayers);
        Positive("num_hidden_groups", NumHiddenGroups);
        Positive("num_attention_heads", NumAttentionHeads);
        Positive("intermediate_size", IntermediateSize);
        Positive("inner_group_num", InnerGroupNum);
        Positive("max_position_embeddings", MaxPositionEmbeddings);
        Positive("type_vocab_size", TypeVocabSize);
        if (HiddenSize % NumAttentionHeads != 0)
            throw new AlbertConfigException(SourceName, "hidden_size", $"{HiddenSize} is not a multiple of num_attention_heads ({NumAttentionHeads})");
        if (NumHiddenGroups > NumHiddenLayers)
            throw new AlbertConfigException(SourceName, "num_hidden_groups", $"{NumHiddenGroups} groups for {NumHiddenLayers} layers: some groups would never be used (HF would leave them untrained)");
        if (!Activations.TryParse(HiddenAct, out _))
            throw new AlbertConfigException(SourceName, "hidden_act", $"unknown activation '{HiddenAct}' (known: {string.Join(", ", Activations.ByName.Keys)})");
        if (PositionEmbeddingType != "absolute")
            throw new AlbertConfigException(SourceName, "position_embedding_type",
                PositionEmbeddingType is "relative_key" or "relative_key_query"
                    ? $"'{PositionEmbeddingType}' is not supported by this engine; only 'absolute' is"
                    : $"unknown value '{PositionEmbeddingType}'; only 'absolute' is supported");
        if (!(LayerNormEps > 0) || float.IsInfinity(LayerNormEps))
            throw new AlbertConfigException(SourceName, "layer_norm_eps", $"must be a positive number, found {LayerNormEps.ToString(CultureInfo.InvariantCulture)}");
        if (ProblemType is not null && Array.IndexOf(AllowedProblemTypes, ProblemType) < 0)
            throw new AlbertConfigException(SourceName, "problem_type", $"unknown value '{ProblemType}' (known: {string.Join(", ", AllowedProblemTypes)})");
        if (PadTokenId < 0 || PadTokenId >= VocabSize)
            throw new AlbertConfigException(SourceName, "pad_token_id", $"{PadTokenId} is outside the vocabulary (vocab_size {VocabSize})");
        // Cap sizes so that a hostile config cannot make us allocate without bound: the largest tensor must stay below 2^31 elements.
        long Check(string key, long a, long b)
        {
            long n = a * b;
            if (n > int.MaxValue)
                throw new AlbertConfigException(SourceName, key, $"tensor of {a}×{b} elements is too large");
            return n;
        }
        Check("vocab_size", VocabSize, Math.Max(EmbeddingSize, HiddenSize));
        Check("intermediate_size", IntermediateSize, HiddenSize);
        Check("hidden_size", HiddenSize, HiddenSize);
        Check("max_position_embeddings", MaxPositionEmbeddings, EmbeddingSize);
    }

    /// <summary>HF-style <c>config.json</c> text (sorted keys, as <c>save_pretrained</c> writes).</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            if (Architectures.Count > 0)
            {
                w.WriteStartArray("architectures");
                foreach (var a in Architectures) w.WriteStringValue(a);
                w.WriteEndArray();
            }
            w.WriteNumber("attention_probs_dropout_prob", AttentionProbsDropoutProb);
            w.WriteNumber("bos_token_id", BosTokenId);
            w.WriteNumber("classifier_dropout_prob", ClassifierDropoutProb);
            w.WriteNumber("embedding_size", EmbeddingSize);
            w.WriteNumber("eos_token_id", EosTokenId);
            w.WriteString("hidden_act", HiddenAct);
            w.WriteNumber("hidden_dropout_prob", HiddenDropoutProb);
            w.WriteNumber("hidden_size", HiddenSize);
            bool defaultLabels = NumLabels == 2 && Id2Label[0] == "LABEL_0" && Id2Label[1] == "LABEL_1";
            if (!defaultLabels)
            {
                w.WriteStartObject("id2label");
                for (int i = 0; i < Id2Label.Count; i++) w.WriteString(i.ToString(CultureInfo.InvariantCulture), Id2Label[i]);
                w.WriteEndObject();
            }
            w.WriteNumber("initializer_range", InitializerRange);
            w.WriteNumber("inner_group_num", InnerGroupNum);
            w.WriteNumber("intermediate_size", IntermediateSize);
            if (!defaultLabels)
            {
                w.WriteStartObject("label2id");
                for (int i = 0; i < Id2Label.Count; i++) w.WriteNumber(Id2Label[i], i);
                w.WriteEndObject();
            }
            w.WriteNumber("layer_norm_eps", LayerNormEps);
            w.WriteNumber("max_position_embeddings", MaxPositionEmbeddings);
            w.WriteString("model_type", "albert");
            w.WriteNumber("num_attention_heads", NumAttentionHeads);
            w.WriteNumber("num_hidden_groups", NumHiddenGroups);
            w.WriteNumber("num_hidden_layers", NumHiddenLayers);
            w.WriteNumber("pad_token_id", PadTokenId);
            w.WriteString("position_embedding_type", PositionEmbeddingType);
            if (ProblemType is not null) w.WriteString("problem_type", ProblemType);
            if (!TieWordEmbeddings) w.WriteBoolean("tie_word_embeddings", false);
            w.WriteNumber("type_vocab_size", TypeVocabSize);
            w.WriteNumber("vocab_size", VocabSize);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>Typed access to the JSON object with errors that name the key.</summary>
    readonly struct Reader(JsonElement root, string source)
    {
        bool TryGet(string key, out JsonElement e) => root.TryGetProperty(key, out e) && e.ValueKind != JsonValueKind.Null;

        public int? Int(string key)
        {
            if (!TryGet(key, out var e)) return null;
            if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v)) return v;
            if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue) return (int)d;
            throw new AlbertConfigException(source, key, $"expected an integer, found {Describe(e)}");
        }

        public float? Float(string key)
        {
            if (!TryGet(key, out var e)) return null;
            if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double d) && double.IsFinite(d)) return (float)d;
            throw new AlbertConfigException(source, key, $"expected a number, found {Describe(e)}");
        }

        public bool? Bool(string key)
        {
            if (!TryGet(key, out var e)) return null;
            return e.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new AlbertConfigException(source, key, $"expected true or false, found {Describe(e)}"),
            };
        }

        public string? String(string key)
        {
            if (!TryGet(key, out var e)) return null;
            return e.ValueKind == JsonValueKind.String ? e.GetString()
                : throw new AlbertConfigException(source, key, $"expected a string, found {Describe(e)}");
        }

        public string[]? StringArray(string key)
        {
            if (!TryGet(key, out var e)) return null;
            if (e.ValueKind != JsonValueKind.Array)
                throw new AlbertConfigException(source, key, $"expected an array of strings, found {Describe(e)}");
            var list = new List<string>();
            foreach (var item in e.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                    throw new AlbertConfigException(source, key, $"expected an array of strings, found an element {Describe(item)}");
                list.Add(item.GetString()!);
            }
            return [.. list];
        }

        public string[]? Id2Label()
        {
            if (!TryGet("id2label", out var e)) return null;
            if (e.ValueKind != JsonValueKind.Object)
                throw new AlbertConfigException(source, "id2label", $"expected an object of id → label, found {Describe(e)}");
            var map = new Dictionary<int, string>();
            foreach (var p in e.EnumerateObject())
            {
                if (!int.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                    throw new AlbertConfigException(source, "id2label", $"key '{p.Name}' is not a non-negative integer");
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw new AlbertConfigException(source, "id2label", $"label for id {id} is {Describe(p.Value)}, expected a string");
                map[id] = p.Value.GetString()!;
            }
            if (map.Count == 0)
                throw new AlbertConfigException(source, "id2label", "is empty");
            var labels = new string[map.Count];
            for (int i = 0; i < labels.Length; i++)
            {
                if (!map.TryGetValue(i, out var l))
                    throw new AlbertConfigException(source, "id2label", $"ids must be 0..{labels.Length - 1}; id {i} is missing");
                labels[i] = l;
            }
            return labels;
        }

        static string Describe(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => $"the string \"{e.GetString()}\"",
            JsonValueKind.Number => $"the number {e.GetRawText()}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {e.GetRawText()}",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => e.ValueKind.ToString(),
        };
    }
}
