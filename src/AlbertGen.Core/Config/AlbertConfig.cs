using System.Globalization;
using System.Text;
using System.Text.Json;
using AlbertGen.Json;
using AlbertGen.Rules;

namespace AlbertGen.Config;

/// <summary>
/// HF <c>AlbertConfig</c>: the keys of <c>config.json</c> with HF's defaults, plus the label and architecture
/// fields of <c>PretrainedConfig</c> that the heads read. Google's original <c>albert_config.json</c> is accepted
/// too (its extra keys are ignored; its <c>"gelu"</c> is the tanh form, see docs/decisions.md).
/// Immutable once validated.
/// </summary>
public sealed class AlbertConfig
{
    public int VocabSize { get; init; } = AlbertDefaults.VocabSize;
    public int EmbeddingSize { get; init; } = AlbertDefaults.EmbeddingSize;
    public int HiddenSize { get; init; } = AlbertDefaults.HiddenSize;
    public int NumHiddenLayers { get; init; } = AlbertDefaults.NumHiddenLayers;
    public int NumHiddenGroups { get; init; } = AlbertDefaults.NumHiddenGroups;
    public int NumAttentionHeads { get; init; } = AlbertDefaults.NumAttentionHeads;
    public int IntermediateSize { get; init; } = AlbertDefaults.IntermediateSize;
    public int InnerGroupNum { get; init; } = AlbertDefaults.InnerGroupNum;
    /// <summary>The <c>hidden_act</c> string as written.</summary>
    public string HiddenAct { get; init; } = AlbertDefaults.HiddenAct;
    public float HiddenDropoutProb { get; init; } = AlbertDefaults.HiddenDropoutProb;
    public float AttentionProbsDropoutProb { get; init; } = AlbertDefaults.AttentionProbsDropoutProb;
    public int MaxPositionEmbeddings { get; init; } = AlbertDefaults.MaxPositionEmbeddings;
    public int TypeVocabSize { get; init; } = AlbertDefaults.TypeVocabSize;
    public float InitializerRange { get; init; } = AlbertDefaults.InitializerRange;
    public float LayerNormEps { get; init; } = AlbertDefaults.LayerNormEps;
    public float ClassifierDropoutProb { get; init; } = AlbertDefaults.ClassifierDropoutProb;
    public string PositionEmbeddingType { get; init; } = AlbertDefaults.PositionEmbeddingType;
    public int PadTokenId { get; init; } = AlbertDefaults.PadTokenId;
    public int BosTokenId { get; init; } = AlbertDefaults.BosTokenId;
    public int EosTokenId { get; init; } = AlbertDefaults.EosTokenId;
    public bool TieWordEmbeddings { get; init; } = AlbertDefaults.TieWordEmbeddings;
    /// <summary>HF class names from <c>architectures</c>; empty when absent.</summary>
    public IReadOnlyList<string> Architectures { get; init; } = [];
    /// <summary><c>regression</c>, <c>single_label_classification</c>, <c>multi_label_classification</c> or null.</summary>
    public string? ProblemType { get; init; }
    /// <summary>Label names by id (from <c>id2label</c>, else <c>LABEL_i</c> for <c>num_labels</c>, default 2).</summary>
    public IReadOnlyList<string> Id2Label { get; init; } = DefaultLabels(AlbertDefaults.NumLabels);
    /// <summary>Where this config came from (file path), for error messages.</summary>
    public string SourceName { get; init; } = "config.json";
    /// <summary>
    /// <c>quantization_config.quant_method</c>: <c>"albertgen-int8"</c> for a model written by <c>albertgen quantize</c>
    /// (docs/quantization.md), null for a float checkpoint. Any other method is refused when the config is read.
    /// </summary>
    public string? QuantizationMethod { get; init; }
    /// <summary>True when read from Google's original <c>albert_config.json</c> format.</summary>
    public bool IsGoogleFormat { get; init; }

    public int NumLabels => Id2Label.Count;
    public int HeadSize => HiddenSize / NumAttentionHeads;
    public ActivationKind Activation => Activations.TryParse(HiddenAct, out var k) ? k
        : throw new AlbertConfigException(SourceName, "hidden_act", $"unknown activation '{HiddenAct}'");

    /// <summary>HF's layer → group formula: <c>int(i / (num_hidden_layers / num_hidden_groups))</c>, float division then truncation.</summary>
    public int GroupOfLayer(int layer) => ConfigRules.GroupOfLayer(layer, NumHiddenLayers, NumHiddenGroups);

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

    public static readonly string[] AllowedProblemTypes = ConfigRules.ProblemTypes;

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
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses and validates config JSON; <paramref name="sourceName"/> is used in error messages.</summary>
    public static AlbertConfig Parse(string json, string sourceName = "config.json") => Parse(Encoding.UTF8.GetBytes(json), sourceName);

    /// <summary>Parses and validates UTF-8 config JSON (invalid UTF-8 in a string is an error naming the key).</summary>
    public static AlbertConfig Parse(ReadOnlyMemory<byte> utf8Json, string sourceName = "config.json")
    {
        var doc = StrictJson.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 16 },
            (key, message, inner) => new AlbertConfigException(sourceName, key, message, inner));
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new AlbertConfigException(sourceName, null, $"expected a JSON object, found {root.ValueKind}");
            var r = new Reader(root, sourceName);
            string? modelType = r.String("model_type");
            Throw(sourceName, ConfigRules.CheckModelType(modelType));
            bool google = AlbertDefaults.IsGoogleFormat(modelType, k => root.TryGetProperty(k, out _));
            string hiddenAct = AlbertDefaults.HiddenActFor(r.String("hidden_act"), google);

            var id2label = r.Id2Label();
            var config = new AlbertConfig
            {
                SourceName = sourceName,
                IsGoogleFormat = google,
                VocabSize = r.Int("vocab_size") ?? AlbertDefaults.VocabSize,
                EmbeddingSize = r.Int("embedding_size") ?? AlbertDefaults.EmbeddingSize,
                HiddenSize = r.Int("hidden_size") ?? AlbertDefaults.HiddenSize,
                NumHiddenLayers = r.Int("num_hidden_layers") ?? AlbertDefaults.NumHiddenLayers,
                NumHiddenGroups = r.Int("num_hidden_groups") ?? AlbertDefaults.NumHiddenGroups,
                NumAttentionHeads = r.Int("num_attention_heads") ?? AlbertDefaults.NumAttentionHeads,
                IntermediateSize = r.Int("intermediate_size") ?? AlbertDefaults.IntermediateSize,
                InnerGroupNum = r.Int("inner_group_num") ?? AlbertDefaults.InnerGroupNum,
                HiddenAct = hiddenAct,
                HiddenDropoutProb = r.Float("hidden_dropout_prob") ?? AlbertDefaults.HiddenDropoutProb,
                AttentionProbsDropoutProb = r.Float("attention_probs_dropout_prob") ?? AlbertDefaults.AttentionProbsDropoutProb,
                MaxPositionEmbeddings = r.Int("max_position_embeddings") ?? AlbertDefaults.MaxPositionEmbeddings,
                TypeVocabSize = r.Int("type_vocab_size") ?? AlbertDefaults.TypeVocabSize,
                InitializerRange = r.Float("initializer_range") ?? AlbertDefaults.InitializerRange,
                LayerNormEps = r.Float("layer_norm_eps") ?? AlbertDefaults.LayerNormEps,
                ClassifierDropoutProb = r.Float("classifier_dropout_prob") ?? AlbertDefaults.ClassifierDropoutProb,
                PositionEmbeddingType = r.String("position_embedding_type") ?? AlbertDefaults.PositionEmbeddingType,
                PadTokenId = r.Int("pad_token_id") ?? AlbertDefaults.PadTokenId,
                BosTokenId = r.Int("bos_token_id") ?? AlbertDefaults.BosTokenId,
                EosTokenId = r.Int("eos_token_id") ?? AlbertDefaults.EosTokenId,
                TieWordEmbeddings = r.Bool("tie_word_embeddings") ?? AlbertDefaults.TieWordEmbeddings,
                Architectures = r.StringArray("architectures") ?? [],
                ProblemType = r.String("problem_type"),
                Id2Label = id2label ?? DefaultLabels(r.Int("num_labels") ?? AlbertDefaults.NumLabels, sourceName),
                QuantizationMethod = r.QuantizationMethod(),
            };
            config.Validate();
            return config;
        }
    }

    static string[] DefaultLabels(int n, string source)
    {
        Throw(source, ConfigRules.CheckNumLabels(n));
        return DefaultLabels(n);
    }

    static string[] DefaultLabels(int n) => Enumerable.Range(0, n).Select(AlbertDefaults.DefaultLabel).ToArray();

    static void Throw(string source, RuleViolation? violation)
    {
        if (violation is not null)
            throw new AlbertConfigException(source, violation.Key, violation.Message);
    }

    /// <summary>
    /// Checks the invariants HF's modeling code relies on and the size budgets (layer counts, elements per tensor and in
    /// all, see <c>Rules/ConfigRules.cs</c>) without allocating in proportion to the sizes; throws naming the key.
    /// </summary>
    public void Validate()
    {
        var violations = ConfigRules.Check(ToRuleValues());
        if (violations.Count > 0)
            Throw(SourceName, violations[0]);
    }

    /// <summary>Checks what <paramref name="head"/> needs of the config (question answering: 2 labels); throws naming <c>num_labels</c>.</summary>
    public void ValidateFor(AlbertHead head) =>
        Throw(SourceName, ConfigRules.CheckHeadLabels(head.Rule(), NumLabels, "num_labels"));

    /// <summary>The values the shared rules (<c>Rules/</c>) read.</summary>
    internal ConfigValues ToRuleValues() => new()
    {
        VocabSize = VocabSize,
        EmbeddingSize = EmbeddingSize,
        HiddenSize = HiddenSize,
        NumHiddenLayers = NumHiddenLayers,
        NumHiddenGroups = NumHiddenGroups,
        NumAttentionHeads = NumAttentionHeads,
        IntermediateSize = IntermediateSize,
        InnerGroupNum = InnerGroupNum,
        MaxPositionEmbeddings = MaxPositionEmbeddings,
        TypeVocabSize = TypeVocabSize,
        HiddenAct = HiddenAct,
        PositionEmbeddingType = PositionEmbeddingType,
        LayerNormEps = LayerNormEps,
        ProblemType = ProblemType,
        PadTokenId = PadTokenId,
        TieWordEmbeddings = TieWordEmbeddings,
        NumLabels = NumLabels,
    };

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
            if (QuantizationMethod is not null)
            {
                w.WriteStartObject("quantization_config");
                w.WriteString("quant_method", QuantizationMethod);
                w.WriteEndObject();
            }
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

        /// <summary><c>quantization_config.quant_method</c>; only <see cref="Quantization.Int8Weights.Method"/> is known.</summary>
        public string? QuantizationMethod()
        {
            const string key = "quantization_config";
            if (!TryGet(key, out var e)) return null;
            if (e.ValueKind != JsonValueKind.Object)
                throw new AlbertConfigException(source, key, $"expected an object with quant_method, found {Describe(e)}");
            if (!e.TryGetProperty("quant_method", out var m) || m.ValueKind != JsonValueKind.String)
                throw new AlbertConfigException(source, key + ".quant_method", "expected a string naming the quantization method");
            string method = m.GetString()!;
            if (method != Quantization.Int8Weights.Method)
                throw new AlbertConfigException(source, key + ".quant_method",
                    $"unsupported quantization method '{method}'; this engine reads float checkpoints and '{Quantization.Int8Weights.Method}' (albertgen quantize)");
            return method;
        }

        public string[]? Id2Label()
        {
            if (!TryGet("id2label", out var e)) return null;
            if (e.ValueKind != JsonValueKind.Object)
                throw new AlbertConfigException(source, "id2label", $"expected an object of id → label, found {Describe(e)}");
            var entries = new List<(string, string?, string)>();
            foreach (var p in e.EnumerateObject())
                entries.Add((p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null, Describe(p.Value)));
            Throw(source, ConfigRules.Labels(entries, out var labels));
            return labels;
        }

        static string Describe(JsonElement e) => StrictJson.Describe(e);
    }
}
