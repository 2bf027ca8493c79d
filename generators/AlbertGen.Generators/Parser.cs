using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using AlbertGen.Generators.Json;
using AlbertGen.Generators.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace AlbertGen.Generators;

/// <summary>
/// Turns a config file into a <see cref="ModelSpec"/> or diagnostics. Mirrors the runtime
/// <c>AlbertGen.Config.AlbertConfig.Parse</c> + <c>Validate</c> (same keys, HF defaults, same checks), so a config
/// that generates code never fails validation at run time; it is stricter in one way: the five keys that fix
/// the model's shape are required (<see cref="RequiredKeys"/>). Reports every problem of a file, not just the first.
/// </summary>
internal static class Parser
{
    /// <summary>Keys without which AlbertGen refuses to guess a shape (HF would silently use xxlarge's defaults).</summary>
    public static readonly string[] RequiredKeys = { "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size" };

    /// <summary>HF <c>hidden_act</c> names we implement → <c>ActivationKind</c> member (as the runtime's <c>Activations.ByName</c>).</summary>
    public static readonly KeyValuePair<string, string>[] Activations =
    {
        new("gelu_new", "GeluTanh"),
        new("gelu_pytorch_tanh", "GeluTanh"),
        new("gelu_python_tanh", "GeluTanh"),
        new("gelu_accurate", "GeluTanh"),
        new("gelu", "GeluErf"),
        new("gelu_python", "GeluErf"),
        new("gelu_fast", "GeluFast"),
        new("quick_gelu", "QuickGelu"),
        new("relu", "Relu"),
        new("silu", "Silu"),
        new("swish", "Silu"),
        new("tanh", "Tanh"),
        new("sigmoid", "Sigmoid"),
        new("linear", "Linear"),
    };

    /// <summary><c>AlbertHead</c> members with their HF class names, in the order the typed API lists them.</summary>
    public static readonly KeyValuePair<string, string>[] Heads =
    {
        new("Base", "AlbertModel"),
        new("PreTraining", "AlbertForPreTraining"),
        new("MaskedLM", "AlbertForMaskedLM"),
        new("SequenceClassification", "AlbertForSequenceClassification"),
        new("TokenClassification", "AlbertForTokenClassification"),
        new("QuestionAnswering", "AlbertForQuestionAnswering"),
        new("MultipleChoice", "AlbertForMultipleChoice"),
    };

    private static readonly string[] GoogleOnlyKeys = { "net_structure_type", "gap_size", "num_memory_blocks", "down_scale_factor" };
    private static readonly string[] ProblemTypes = { "regression", "single_label_classification", "multi_label_classification" };

    public static ParseResult Parse(ConfigFileInput input, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        string sourceName = SourceName(input.Path);
        var fileStart = new LocationInfo(input.Path, 0, 0, 0, 0, 0, 0);

        string className = !string.IsNullOrWhiteSpace(input.ClassName) ? input.ClassName!.Trim() : DefaultClassName(input.Path);
        if (!IsValidIdentifier(className) || Emitter.ReservedMemberNames.Contains(className))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidClassName, fileStart, sourceName, className));
        string ns = !string.IsNullOrWhiteSpace(input.Namespace) ? input.Namespace!.Trim()
            : !string.IsNullOrWhiteSpace(input.RootNamespace) ? input.RootNamespace!.Trim()
            : "AlbertGen.Generated";
        if (!IsValidNamespace(ns))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidNamespace, fileStart, sourceName, ns));

        if (input.Text is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableFile, fileStart, sourceName));
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
        cancellationToken.ThrowIfCancellationRequested();

        JsonValue root;
        try
        {
            root = JsonReader.Parse(input.Text);
        }
        catch (JsonSyntaxException e)
        {
            int length = e.Offset < input.Text.Length ? 1 : 0;
            var at = new LocationInfo(input.Path, e.Offset, length, e.Line, e.Column, e.Line, e.Column + length);
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MalformedJson, at, sourceName,
                Inv(e.Line + 1), Inv(e.Column + 1), e.Message));
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
        if (root.Kind != JsonKind.Object)
        {
            var at = Locate(input.Path, root.Range);
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MalformedJson, at, sourceName,
                Inv(root.Range.StartLine + 1), Inv(root.Range.StartColumn + 1), "expected a JSON object at the top level, found " + root.Describe()));
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var r = new ConfigReader(root, input.Path, sourceName, diagnostics);
        var spec = r.Read(className, ns, cancellationToken);
        bool hasErrors = false;
        foreach (var d in diagnostics)
            hasErrors |= DiagnosticDescriptors.ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error;
        return new ParseResult(hasErrors ? null : spec, new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    /// <summary>Name of the class when <c>AlbertGenModel</c> is not set: the config's folder in PascalCase (<c>albert-base-v2</c> → <c>AlbertBaseV2</c>).</summary>
    public static string DefaultClassName(string path)
    {
        string folder = FolderName(path);
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in folder)
        {
            if (char.IsLetterOrDigit(c) || c == '_')
            {
                sb.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }
        return sb.Length == 0 ? folder : sb.ToString();
    }

    /// <summary><c>folder/config.json</c>: enough to recognise the file, and the same on every machine.</summary>
    public static string SourceName(string path)
    {
        string file = FileName(path);
        string folder = FolderName(path);
        return folder.Length == 0 ? file : folder + "/" + file;
    }

    private static string FileName(string path)
    {
        int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
        return path.Substring(slash + 1);
    }

    private static string FolderName(string path)
    {
        int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
        if (slash <= 0)
            return "";
        string dir = path.Substring(0, slash);
        int prev = Math.Max(dir.LastIndexOf('/'), dir.LastIndexOf('\\'));
        return dir.Substring(prev + 1);
    }

    public static bool IsValidIdentifier(string name) =>
        SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None && !name.StartsWith("@", StringComparison.Ordinal);

    public static bool IsValidNamespace(string ns)
    {
        foreach (var part in ns.Split('.'))
        {
            if (!IsValidIdentifier(part) || part == "global")
                return false;
        }
        return true;
    }

    internal static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);

    internal static LocationInfo Locate(string path, TextRange range) =>
        new(path, range.Start, range.End - range.Start, range.StartLine, range.StartColumn, range.EndLine, range.EndColumn);

    /// <summary>Typed reads of the config object; each problem becomes a diagnostic at the key and the read falls back to the default.</summary>
    private sealed class ConfigReader
    {
        private readonly JsonValue _root;
        private readonly string _path;
        private readonly string _source;
        private readonly List<DiagnosticInfo> _diagnostics;

        public ConfigReader(JsonValue root, string path, string source, List<DiagnosticInfo> diagnostics)
        {
            _root = root;
            _path = path;
            _source = source;
            _diagnostics = diagnostics;
        }

        private LocationInfo KeyLocation(string key)
        {
            var p = _root.Property(key);
            // a key that is absent is reported at the object's opening brace
            return p is null
                ? new LocationInfo(_path, _root.Range.Start, 1, _root.Range.StartLine, _root.Range.StartColumn, _root.Range.StartLine, _root.Range.StartColumn + 1)
                : Locate(_path, p.NameRange);
        }

        private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, string key, params string[] args)
        {
            var all = new string[args.Length + 1];
            all[0] = _source;
            Array.Copy(args, 0, all, 1, args.Length);
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, KeyLocation(key), all));
        }

        private void Invalid(string key, string message) => Report(DiagnosticDescriptors.InvalidValue, key, key, message);

        private JsonValue? Get(string key)
        {
            var p = _root.Property(key);
            return p is null || p.Value.Kind == JsonKind.Null ? null : p.Value;
        }

        public bool Has(string key) => Get(key) is not null;

        public int? Int(string key)
        {
            var v = Get(key);
            if (v is null)
                return null;
            if (v.Kind == JsonKind.Number
                && double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
                && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue)
                return (int)d;
            Report(DiagnosticDescriptors.WrongType, key, key, "an integer", v.Describe());
            return null;
        }

        public float? Float(string key)
        {
            var v = Get(key);
            if (v is null)
                return null;
            if (v.Kind == JsonKind.Number
                && double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
                && !double.IsNaN(d) && !double.IsInfinity(d))
                return (float)d;
            Report(DiagnosticDescriptors.WrongType, key, key, "a number", v.Describe());
            return null;
        }

        public bool? Bool(string key)
        {
            var v = Get(key);
            if (v is null)
                return null;
            if (v.Kind is JsonKind.True or JsonKind.False)
                return v.Kind == JsonKind.True;
            Report(DiagnosticDescriptors.WrongType, key, key, "true or false", v.Describe());
            return null;
        }

        public string? String(string key)
        {
            var v = Get(key);
            if (v is null)
                return null;
            if (v.Kind == JsonKind.String)
                return v.Text;
            Report(DiagnosticDescriptors.WrongType, key, key, "a string", v.Describe());
            return null;
        }

        public List<string>? StringArray(string key)
        {
            var v = Get(key);
            if (v is null)
                return null;
            if (v.Kind != JsonKind.Array)
            {
                Report(DiagnosticDescriptors.WrongType, key, key, "an array of strings", v.Describe());
                return null;
            }
            var list = new List<string>();
            foreach (var item in v.Items)
            {
                if (item.Kind != JsonKind.String)
                {
                    Report(DiagnosticDescriptors.WrongType, key, key, "an array of strings", "an element that is " + item.Describe());
                    return null;
                }
                list.Add(item.Text);
            }
            return list;
        }

        private List<string>? Id2Label()
        {
            var v = Get("id2label");
            if (v is null)
                return null;
            if (v.Kind != JsonKind.Object)
            {
                Report(DiagnosticDescriptors.WrongType, "id2label", "id2label", "an object of id → label", v.Describe());
                return null;
            }
            var map = new Dictionary<int, string>();
            foreach (var p in v.Properties)
            {
                if (!int.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                {
                    Invalid("id2label", "key '" + p.Name + "' is not a non-negative integer");
                    return null;
                }
                if (p.Value.Kind != JsonKind.String)
                {
                    Invalid("id2label", "label for id " + Inv(id) + " is " + p.Value.Describe() + ", expected a string");
                    return null;
                }
                map[id] = p.Value.Text;
            }
            if (map.Count == 0)
            {
                Invalid("id2label", "is empty");
                return null;
            }
            var labels = new List<string>();
            for (int i = 0; i < map.Count; i++)
            {
                if (!map.TryGetValue(i, out var label))
                {
                    Invalid("id2label", "ids must be 0.." + Inv(map.Count - 1) + "; id " + Inv(i) + " is missing");
                    return null;
                }
                labels.Add(label);
            }
            return labels;
        }

        public ModelSpec Read(string className, string ns, CancellationToken cancellationToken)
        {
            foreach (var key in RequiredKeys)
            {
                if (!Has(key))
                    Report(DiagnosticDescriptors.MissingKey, key, key);
            }

            string? modelType = String("model_type");
            if (modelType is not null && modelType != "albert")
                Invalid("model_type", "expected 'albert', found '" + modelType + "'");
            bool google = modelType is null && Array.Exists(GoogleOnlyKeys, k => _root.Property(k) is not null);

            string hiddenAct = String("hidden_act") ?? "gelu_new";
            // Google's BERT/ALBERT "gelu" is the tanh approximation (modeling.py); HF's converted configs say gelu_new.
            if (google && hiddenAct == "gelu")
                hiddenAct = "gelu_new";
            string? activationKind = null;
            foreach (var a in Activations)
            {
                if (a.Key == hiddenAct)
                    activationKind = a.Value;
            }
            if (activationKind is null)
            {
                var known = new List<string>();
                foreach (var a in Activations)
                    known.Add(a.Key);
                Report(DiagnosticDescriptors.UnknownActivation, "hidden_act", hiddenAct, string.Join(", ", known));
            }

            int Size(string key, int fallback)
            {
                int? value = Int(key);
                if (value is int v && v <= 0)
                    Report(DiagnosticDescriptors.NonPositiveSize, key, key, Inv(v));
                return value ?? fallback;
            }
            int vocab = Size("vocab_size", 30000);
            int embedding = Size("embedding_size", 128);
            int hidden = Size("hidden_size", 4096);
            int layers = Size("num_hidden_layers", 12);
            int groups = Size("num_hidden_groups", 1);
            int heads = Size("num_attention_heads", 64);
            int intermediate = Size("intermediate_size", 16384);
            int inner = Size("inner_group_num", 1);
            int maxPositions = Size("max_position_embeddings", 512);
            int typeVocab = Size("type_vocab_size", 2);
            cancellationToken.ThrowIfCancellationRequested();

            if (hidden > 0 && heads > 0 && hidden % heads != 0)
                Report(DiagnosticDescriptors.HiddenSizeNotDivisible, Has("hidden_size") ? "hidden_size" : "num_attention_heads", Inv(hidden), Inv(heads));
            if (groups > 0 && layers > 0 && groups > layers)
                Invalid("num_hidden_groups", Inv(groups) + " groups for " + Inv(layers) + " layers: some groups would never be used (HF would leave them untrained)");

            string positionType = String("position_embedding_type") ?? "absolute";
            if (positionType != "absolute")
                Report(DiagnosticDescriptors.UnsupportedPositionEmbedding, "position_embedding_type", positionType);

            float eps = Float("layer_norm_eps") ?? 1e-12f;
            if (!(eps > 0) || float.IsInfinity(eps))
                Invalid("layer_norm_eps", "must be a positive number, found " + eps.ToString("R", CultureInfo.InvariantCulture));

            string? problemType = String("problem_type");
            if (problemType is not null && Array.IndexOf(ProblemTypes, problemType) < 0)
                Invalid("problem_type", "unknown value '" + problemType + "' (known: " + string.Join(", ", ProblemTypes) + ")");

            int pad = Int("pad_token_id") ?? 0;
            if (vocab > 0 && (pad < 0 || pad >= vocab))
                Invalid("pad_token_id", Inv(pad) + " is outside the vocabulary (vocab_size " + Inv(vocab) + ")");

            // the largest tensor must stay below 2^31 elements (as the runtime checks)
            void Cap(string key, long a, long b)
            {
                if (a > 0 && b > 0 && a * b > int.MaxValue)
                    Invalid(key, "tensor of " + a.ToString(CultureInfo.InvariantCulture) + "×" + b.ToString(CultureInfo.InvariantCulture) + " elements is too large");
            }
            Cap("vocab_size", vocab, Math.Max(embedding, hidden));
            Cap("intermediate_size", intermediate, hidden);
            Cap("hidden_size", hidden, hidden);
            Cap("max_position_embeddings", maxPositions, embedding);

            var labels = Id2Label();
            if (labels is null && !Has("id2label"))
            {
                int n = Int("num_labels") ?? 2;
                if (n < 1 || n > 1_000_000)
                {
                    Invalid("num_labels", "must be between 1 and 1000000, found " + Inv(n));
                    n = 2;
                }
                labels = new List<string>();
                for (int i = 0; i < n; i++)
                    labels.Add("LABEL_" + Inv(i));
            }
            labels ??= new List<string> { "LABEL_0", "LABEL_1" };

            var architectures = StringArray("architectures") ?? new List<string>();
            var headNames = new List<string>();
            foreach (var arch in architectures)
            {
                string? head = null;
                foreach (var h in Heads)
                {
                    if (h.Value == arch)
                        head = h.Key;
                }
                if (head is null)
                {
                    var known = new List<string>();
                    foreach (var h in Heads)
                        known.Add(h.Value);
                    Report(DiagnosticDescriptors.UnknownArchitecture, "architectures", arch, string.Join(", ", known));
                }
                else if (!headNames.Contains(head))
                {
                    headNames.Add(head);
                }
            }
            if (headNames.Contains("QuestionAnswering") && labels.Count != 2)
                Invalid(Has("id2label") ? "id2label" : "num_labels", "AlbertForQuestionAnswering splits qa_outputs into start and end logits, so it needs 2 labels (found " + Inv(labels.Count) + ")");
            if (headNames.Count == 0)
            {
                // no (known) architectures: offer every head, AlbertModel first (the runtime's default head)
                foreach (var h in Heads)
                {
                    if (h.Key != "QuestionAnswering" || labels.Count == 2)
                        headNames.Add(h.Key);
                }
            }

            var layerGroups = new int[layers > 0 ? layers : 0];
            if (groups > 0)
            {
                for (int i = 0; i < layerGroups.Length; i++)
                    layerGroups[i] = (int)(i / ((double)layers / groups));
            }

            return new ModelSpec
            {
                ClassName = className,
                Namespace = ns,
                SourceName = _source,
                Location = new LocationInfo(_path, 0, 0, 0, 0, 0, 0),
                VocabSize = vocab,
                EmbeddingSize = embedding,
                HiddenSize = hidden,
                NumHiddenLayers = layers,
                NumHiddenGroups = groups,
                NumAttentionHeads = heads,
                IntermediateSize = intermediate,
                InnerGroupNum = inner,
                HiddenAct = hiddenAct,
                ActivationKind = activationKind ?? "",
                HiddenDropoutProb = Float("hidden_dropout_prob") ?? 0f,
                AttentionProbsDropoutProb = Float("attention_probs_dropout_prob") ?? 0f,
                MaxPositionEmbeddings = maxPositions,
                TypeVocabSize = typeVocab,
                InitializerRange = Float("initializer_range") ?? 0.02f,
                LayerNormEps = eps,
                ClassifierDropoutProb = Float("classifier_dropout_prob") ?? 0.1f,
                PositionEmbeddingType = positionType,
                PadTokenId = pad,
                BosTokenId = Int("bos_token_id") ?? 2,
                EosTokenId = Int("eos_token_id") ?? 3,
                TieWordEmbeddings = Bool("tie_word_embeddings") ?? true,
                Architectures = new EquatableArray<string>(architectures),
                ProblemType = problemType,
                Id2Label = new EquatableArray<string>(labels),
                IsGoogleFormat = google,
                Heads = new EquatableArray<string>(headNames),
                LayerGroups = new EquatableArray<int>(layerGroups),
            };
        }
    }
}
