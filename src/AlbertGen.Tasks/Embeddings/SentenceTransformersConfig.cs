using System.Text.Json;

namespace AlbertGen.Tasks.Embeddings;

/// <summary>
/// A sentence-transformers model folder's embedding settings (docs/decisions.md D32): <c>modules.json</c> (Transformer →
/// Pooling → optional Normalize), <c>1_Pooling/config.json</c> (<c>pooling_mode_cls_token</c> / <c>mean_tokens</c> /
/// <c>max_tokens</c>), <c>sentence_bert_config.json</c> (<c>max_seq_length</c>, <c>do_lower_case</c>) and
/// <c>config_sentence_transformers.json</c> (<c>prompts</c>, <c>default_prompt_name</c>). They are the defaults of
/// <c>albertgen embed</c>; explicit options override. Modules AlbertGen does not compute (Dense, other pooling modes)
/// are refused with the module named, rather than giving vectors sentence-transformers would not.
/// </summary>
public sealed record SentenceTransformersConfig
{
    public EmbeddingPooling Pooling { get; init; } = EmbeddingPooling.Mean;

    public bool Normalize { get; init; }

    /// <summary>Tokens per text after truncation (<c>max_seq_length</c>); null: the model's <c>max_position_embeddings</c>.</summary>
    public int? MaxSeqLength { get; init; }

    /// <summary><c>do_lower_case</c>: sentence-transformers lower-cases the text before the tokenizer.</summary>
    public bool DoLowerCase { get; init; }

    public IReadOnlyDictionary<string, string> Prompts { get; init; } = new Dictionary<string, string>();

    public string? DefaultPromptName { get; init; }

    /// <summary>The default prompt's text prepended to every input, or "" when there is none.</summary>
    public string DefaultPrompt => DefaultPromptName is { } n && Prompts.TryGetValue(n, out var p) ? p : "";

    /// <summary>The folder's settings, or null when it is not a sentence-transformers folder (no <c>modules.json</c> and no <c>1_Pooling</c>).</summary>
    public static SentenceTransformersConfig? Load(string dir)
    {
        string modules = Path.Combine(dir, "modules.json");
        string pooling = Path.Combine(dir, "1_Pooling", "config.json");
        if (!File.Exists(modules) && !File.Exists(pooling)) return null;
        bool normalize = false;
        string? poolingPath = File.Exists(pooling) ? pooling : null;
        if (File.Exists(modules))
        {
            using var doc = Parse(modules);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{modules}: a JSON array of modules expected");
            foreach (var m in doc.RootElement.EnumerateArray())
            {
                string type = m.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
                string path = m.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "";
                switch (type.Split('.')[^1])
                {
                    case "Transformer":
                        break;
                    case "Pooling":
                        poolingPath = Path.Combine(dir, path, "config.json");
                        break;
                    case "Normalize":
                        normalize = true;
                        break;
                    default:
                        throw new InvalidDataException($"{modules}: module '{type}' is not supported (AlbertGen computes Transformer → Pooling → Normalize)");
                }
            }
        }
        var mode = EmbeddingPooling.Mean;
        if (poolingPath is not null)
        {
            using var doc = Parse(poolingPath);
            var on = new List<string>();
            foreach (var p in doc.RootElement.EnumerateObject())
                if (p.Name.StartsWith("pooling_mode_", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.True) on.Add(p.Name);
            mode = on switch
            {
                ["pooling_mode_mean_tokens"] => EmbeddingPooling.Mean,
                ["pooling_mode_cls_token"] => EmbeddingPooling.Cls,
                ["pooling_mode_max_tokens"] => EmbeddingPooling.Max,
                _ => throw new InvalidDataException($"{poolingPath}: pooling {(on.Count == 0 ? "(none set)" : string.Join(" + ", on))} is not supported; one of pooling_mode_mean_tokens, pooling_mode_cls_token, pooling_mode_max_tokens"),
            };
        }
        int? maxSeq = null;
        bool lower = false;
        string sbert = Path.Combine(dir, "sentence_bert_config.json");
        if (File.Exists(sbert))
        {
            using var doc = Parse(sbert);
            if (doc.RootElement.TryGetProperty("max_seq_length", out var m) && m.ValueKind == JsonValueKind.Number)
                maxSeq = m.TryGetInt32(out int v) && v > 0 ? v : throw new InvalidDataException($"{sbert}: max_seq_length must be a positive integer");
            lower = doc.RootElement.TryGetProperty("do_lower_case", out var l) && l.ValueKind == JsonValueKind.True;
        }
        var prompts = new Dictionary<string, string>(StringComparer.Ordinal);
        string? defaultPrompt = null;
        string st = Path.Combine(dir, "config_sentence_transformers.json");
        if (File.Exists(st))
        {
            using var doc = Parse(st);
            if (doc.RootElement.TryGetProperty("prompts", out var ps) && ps.ValueKind == JsonValueKind.Object)
                foreach (var p in ps.EnumerateObject())
                    if (p.Value.ValueKind == JsonValueKind.String) prompts[p.Name] = p.Value.GetString()!;
            if (doc.RootElement.TryGetProperty("default_prompt_name", out var d) && d.ValueKind == JsonValueKind.String)
            {
                defaultPrompt = d.GetString();
                if (!prompts.ContainsKey(defaultPrompt!))
                    throw new InvalidDataException($"{st}: default_prompt_name '{defaultPrompt}' is not one of the prompts");
            }
        }
        return new SentenceTransformersConfig { Pooling = mode, Normalize = normalize, MaxSeqLength = maxSeq, DoLowerCase = lower, Prompts = prompts, DefaultPromptName = defaultPrompt };
    }

    static JsonDocument Parse(string path) =>
        Json.StrictJson.ParseFile(path, default, (key, message, inner) => new InvalidDataException($"{path}: {message}", inner));
}
