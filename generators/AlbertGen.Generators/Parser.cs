using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using AlbertGen.Generators.Json;
using AlbertGen.Generators.Model;
using AlbertGen.Rules;
using Microsoft.CodeAnalysis.CSharp;

namespace AlbertGen.Generators;

/// <summary>
/// Turns a config file into a <see cref="ModelSpec"/> or diagnostics. The ALBERT rules (HF defaults, the activation
/// and head tables, the checks) are the runtime's own, linked from <c>src/AlbertGen.Core/Rules</c>, so a config that
/// generates code never fails validation at run time; the generator is stricter in one way: the keys that fix the
/// model's shape are required (<see cref="AlbertDefaults.RequiredKeys"/>). Reports every problem of a file, not just the first.
/// </summary>
internal static class Parser
{
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
        var spec = r.Read(className, ns, input.EmbedWeights, cancellationToken);
        return new ParseResult(spec, new EquatableArray<DiagnosticInfo>(diagnostics));
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

        private string[]? Id2Label()
        {
            var v = Get("id2label");
            if (v is null)
                return null;
            if (v.Kind != JsonKind.Object)
            {
                Report(DiagnosticDescriptors.WrongType, "id2label", "id2label", "an object of id → label", v.Describe());
                return null;
            }
            var entries = new List<(string, string?, string)>();
            foreach (var p in v.Properties)
                entries.Add((p.Name, p.Value.Kind == JsonKind.String ? p.Value.Text : null, p.Value.Describe()));
            Report(ConfigRules.Labels(entries, out var labels));
            return labels;
        }

        /// <summary>A broken shared rule as its diagnostic: ALBG004–007 where the rule has its own id, else ALBG011.</summary>
        private void Report(RuleViolation? v, int numAttentionHeads = 0)
        {
            if (v is null)
                return;
            switch (v.Kind)
            {
                case RuleKind.NonPositive:
                    Report(DiagnosticDescriptors.NonPositiveSize, v.Key, v.Key, v.Value);
                    break;
                case RuleKind.NotDivisible:
                    Report(DiagnosticDescriptors.HiddenSizeNotDivisible, Has(v.Key) ? v.Key : "num_attention_heads", v.Value, Inv(numAttentionHeads));
                    break;
                case RuleKind.UnknownActivation:
                    Report(DiagnosticDescriptors.UnknownActivation, v.Key, v.Value, ActivationTable.KnownNames());
                    break;
                case RuleKind.UnsupportedPositionEmbedding:
                    Report(DiagnosticDescriptors.UnsupportedPositionEmbedding, v.Key, v.Value);
                    break;
                default:
                    Invalid(v.Key, v.Message);
                    break;
            }
        }

        private bool HasErrors()
        {
            foreach (var d in _diagnostics)
            {
                if (DiagnosticDescriptors.ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
                    return true;
            }
            return false;
        }

        /// <summary>The spec, or null when the file has errors (then nothing sized by the config is allocated).</summary>
        public ModelSpec? Read(string className, string ns, bool embedWeights, CancellationToken cancellationToken)
        {
            foreach (var key in AlbertDefaults.RequiredKeys)
            {
                if (!Has(key))
                    Report(DiagnosticDescriptors.MissingKey, key, key);
            }

            string? modelType = String("model_type");
            Report(ConfigRules.CheckModelType(modelType));
            bool google = AlbertDefaults.IsGoogleFormat(modelType, k => _root.Property(k) is not null);
            string hiddenAct = AlbertDefaults.HiddenActFor(String("hidden_act"), google);

            var labels = Id2Label();
            if (labels is null && !Has("id2label"))
            {
                int n = Int("num_labels") ?? AlbertDefaults.NumLabels;
                var bad = ConfigRules.CheckNumLabels(n);
                Report(bad);
                labels = new string[bad is null ? n : AlbertDefaults.NumLabels];
                for (int i = 0; i < labels.Length; i++)
                    labels[i] = AlbertDefaults.DefaultLabel(i);
            }
            labels ??= new[] { AlbertDefaults.DefaultLabel(0), AlbertDefaults.DefaultLabel(1) };

            var values = new ConfigValues
            {
                VocabSize = Int("vocab_size") ?? AlbertDefaults.VocabSize,
                EmbeddingSize = Int("embedding_size") ?? AlbertDefaults.EmbeddingSize,
                HiddenSize = Int("hidden_size") ?? AlbertDefaults.HiddenSize,
                NumHiddenLayers = Int("num_hidden_layers") ?? AlbertDefaults.NumHiddenLayers,
                NumHiddenGroups = Int("num_hidden_groups") ?? AlbertDefaults.NumHiddenGroups,
                NumAttentionHeads = Int("num_attention_heads") ?? AlbertDefaults.NumAttentionHeads,
                IntermediateSize = Int("intermediate_size") ?? AlbertDefaults.IntermediateSize,
                InnerGroupNum = Int("inner_group_num") ?? AlbertDefaults.InnerGroupNum,
                MaxPositionEmbeddings = Int("max_position_embeddings") ?? AlbertDefaults.MaxPositionEmbeddings,
                TypeVocabSize = Int("type_vocab_size") ?? AlbertDefaults.TypeVocabSize,
                HiddenAct = hiddenAct,
                PositionEmbeddingType = String("position_embedding_type") ?? AlbertDefaults.PositionEmbeddingType,
                LayerNormEps = Float("layer_norm_eps") ?? AlbertDefaults.LayerNormEps,
                ProblemType = String("problem_type"),
                PadTokenId = Int("pad_token_id") ?? AlbertDefaults.PadTokenId,
                TieWordEmbeddings = Bool("tie_word_embeddings") ?? AlbertDefaults.TieWordEmbeddings,
                NumLabels = labels.Length,
            };
            float hiddenDropout = Float("hidden_dropout_prob") ?? AlbertDefaults.HiddenDropoutProb;
            float attentionDropout = Float("attention_probs_dropout_prob") ?? AlbertDefaults.AttentionProbsDropoutProb;
            float initializerRange = Float("initializer_range") ?? AlbertDefaults.InitializerRange;
            float classifierDropout = Float("classifier_dropout_prob") ?? AlbertDefaults.ClassifierDropoutProb;
            int bos = Int("bos_token_id") ?? AlbertDefaults.BosTokenId;
            int eos = Int("eos_token_id") ?? AlbertDefaults.EosTokenId;
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var v in ConfigRules.Check(values))
                Report(v, values.NumAttentionHeads);

            var architectures = StringArray("architectures") ?? new List<string>();
            var headNames = new List<string>();
            foreach (var arch in architectures)
            {
                var head = HeadTable.ByHfClassName(arch);
                if (head is null)
                {
                    Report(DiagnosticDescriptors.UnknownArchitecture, "architectures", arch, HeadTable.KnownHfClassNames());
                }
                else if (!headNames.Contains(head.Member))
                {
                    headNames.Add(head.Member);
                    Report(ConfigRules.CheckHeadLabels(head, labels.Length, Has("id2label") ? "id2label" : "num_labels"));
                }
            }
            if (headNames.Count == 0)
            {
                // no (known) architectures: offer every head the labels allow, AlbertModel first (the runtime's default head)
                foreach (var h in HeadTable.Rows)
                {
                    if (ConfigRules.CheckHeadLabels(h, labels.Length, "num_labels") is null)
                        headNames.Add(h.Member);
                }
            }

            // the rules above bound every size; with an error, stop before allocating anything sized by the config
            if (HasErrors())
                return null;
            var layerGroups = new int[values.NumHiddenLayers];
            for (int i = 0; i < layerGroups.Length; i++)
                layerGroups[i] = ConfigRules.GroupOfLayer(i, values.NumHiddenLayers, values.NumHiddenGroups);

            return new ModelSpec
            {
                ClassName = className,
                Namespace = ns,
                SourceName = _source,
                Location = new LocationInfo(_path, 0, 0, 0, 0, 0, 0),
                EmbedWeights = embedWeights,
                VocabSize = values.VocabSize,
                EmbeddingSize = values.EmbeddingSize,
                HiddenSize = values.HiddenSize,
                NumHiddenLayers = values.NumHiddenLayers,
                NumHiddenGroups = values.NumHiddenGroups,
                NumAttentionHeads = values.NumAttentionHeads,
                IntermediateSize = values.IntermediateSize,
                InnerGroupNum = values.InnerGroupNum,
                HiddenAct = hiddenAct,
                ActivationKind = ActivationTable.KindOf(hiddenAct) ?? "",
                HiddenDropoutProb = hiddenDropout,
                AttentionProbsDropoutProb = attentionDropout,
                MaxPositionEmbeddings = values.MaxPositionEmbeddings,
                TypeVocabSize = values.TypeVocabSize,
                InitializerRange = initializerRange,
                LayerNormEps = values.LayerNormEps,
                ClassifierDropoutProb = classifierDropout,
                PositionEmbeddingType = values.PositionEmbeddingType,
                PadTokenId = values.PadTokenId,
                BosTokenId = bos,
                EosTokenId = eos,
                TieWordEmbeddings = values.TieWordEmbeddings,
                Architectures = new EquatableArray<string>(architectures),
                ProblemType = values.ProblemType,
                Id2Label = new EquatableArray<string>(labels),
                IsGoogleFormat = google,
                Heads = new EquatableArray<string>(headNames),
                LayerGroups = new EquatableArray<int>(layerGroups),
                Rules = values,
            };
        }
    }
}
