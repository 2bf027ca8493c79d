// Shared ALBERT rules (see AlbertDefaults.cs): compiled into Core and linked into the generator.
using System;
using System.Collections.Generic;
using System.Globalization;

namespace AlbertGen.Rules;

/// <summary>The config values the rules read: HF <c>AlbertConfig</c>'s, defaults filled in, labels counted (a record: the generator's pipeline compares it).</summary>
internal sealed record ConfigValues
{
    public int VocabSize { get; set; } = AlbertDefaults.VocabSize;
    public int EmbeddingSize { get; set; } = AlbertDefaults.EmbeddingSize;
    public int HiddenSize { get; set; } = AlbertDefaults.HiddenSize;
    public int NumHiddenLayers { get; set; } = AlbertDefaults.NumHiddenLayers;
    public int NumHiddenGroups { get; set; } = AlbertDefaults.NumHiddenGroups;
    public int NumAttentionHeads { get; set; } = AlbertDefaults.NumAttentionHeads;
    public int IntermediateSize { get; set; } = AlbertDefaults.IntermediateSize;
    public int InnerGroupNum { get; set; } = AlbertDefaults.InnerGroupNum;
    public int MaxPositionEmbeddings { get; set; } = AlbertDefaults.MaxPositionEmbeddings;
    public int TypeVocabSize { get; set; } = AlbertDefaults.TypeVocabSize;
    public string HiddenAct { get; set; } = AlbertDefaults.HiddenAct;
    public string PositionEmbeddingType { get; set; } = AlbertDefaults.PositionEmbeddingType;
    public float LayerNormEps { get; set; } = AlbertDefaults.LayerNormEps;
    public string? ProblemType { get; set; }
    public int PadTokenId { get; set; } = AlbertDefaults.PadTokenId;
    public bool TieWordEmbeddings { get; set; } = AlbertDefaults.TieWordEmbeddings;
    public int NumLabels { get; set; } = AlbertDefaults.NumLabels;
}

/// <summary>Which rule a <see cref="RuleViolation"/> broke, for the generator's diagnostic ids (ALBG004–007, else ALBG011).</summary>
internal enum RuleKind
{
    Invalid,
    NonPositive,
    NotDivisible,
    UnknownActivation,
    UnsupportedPositionEmbedding,
}

/// <summary>A broken rule: the offending config <paramref name="Key"/>, a message without the key, and the offending value as text.</summary>
internal sealed record RuleViolation(RuleKind Kind, string Key, string Message, string Value);

/// <summary>
/// The checks HF's modeling code relies on, plus size budgets, in the order the runtime reports them (it throws at the
/// first; the generator reports every one as a diagnostic). All are computed from the values alone: nothing is
/// allocated in proportion to the sizes they check.
/// </summary>
internal static class ConfigRules
{
    /// <summary>Most layers a forward may run, and most layers a checkpoint may store: <c>num_hidden_layers × inner_group_num</c> and <c>num_hidden_groups × inner_group_num</c> (albert-xxlarge: 12).</summary>
    public const int MaxLayers = 4096;

    /// <summary>Most elements of one tensor (<see cref="int.MaxValue"/>: spans and safetensors offsets are indexed with <see cref="int"/>).</summary>
    public const long MaxTensorElements = int.MaxValue;

    /// <summary>Most weight elements of a model, all tensors of its largest head: 8·10⁹ (32 GB as float32; albert-xxlarge-v2 has 2.2·10⁸).</summary>
    public const long MaxTotalElements = 8_000_000_000;

    public static readonly string[] ProblemTypes = { "regression", "single_label_classification", "multi_label_classification" };

    /// <summary>The most labels <c>num_labels</c> may ask for.</summary>
    public const int MaxNumLabels = 1_000_000;

    /// <summary>HF's layer → group formula: <c>int(i / (num_hidden_layers / num_hidden_groups))</c>, float division then truncation.</summary>
    public static int GroupOfLayer(int layer, int numHiddenLayers, int numHiddenGroups) =>
        (int)(layer / ((double)numHiddenLayers / numHiddenGroups));

    public static RuleViolation? CheckModelType(string? modelType) =>
        modelType is null || modelType == "albert" ? null
            : Invalid("model_type", "expected 'albert', found '" + modelType + "'");

    /// <summary><c>num_labels</c> (used when there is no <c>id2label</c>): 1 to <see cref="MaxNumLabels"/>.</summary>
    public static RuleViolation? CheckNumLabels(int numLabels) =>
        numLabels >= 1 && numLabels <= MaxNumLabels ? null
            : Invalid("num_labels", "must be between 1 and " + Inv(MaxNumLabels) + ", found " + Inv(numLabels));

    /// <summary>
    /// Labels by id from <c>id2label</c>'s entries in file order: each key a non-negative integer, each value a string
    /// (<c>Label</c> null: it is not, and <c>Found</c> says what it is), ids 0..n−1 without gaps.
    /// </summary>
    public static RuleViolation? Labels(IReadOnlyList<(string Key, string? Label, string Found)> entries, out string[]? labels)
    {
        labels = null;
        var map = new Dictionary<int, string>();
        foreach (var (key, label, found) in entries)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                return Invalid("id2label", "key '" + key + "' is not a non-negative integer");
            if (label is null)
                return Invalid("id2label", "label for id " + Inv(id) + " is " + found + ", expected a string");
            map[id] = label;
        }
        if (map.Count == 0)
            return Invalid("id2label", "is empty");
        var result = new string[map.Count];
        for (int i = 0; i < result.Length; i++)
        {
            if (!map.TryGetValue(i, out var label))
                return Invalid("id2label", "ids must be 0.." + Inv(result.Length - 1) + "; id " + Inv(i) + " is missing");
            result[i] = label;
        }
        labels = result;
        return null;
    }

    /// <summary>A head's label rule (question answering needs 2: start and end); <paramref name="labelsKey"/> is the key to blame.</summary>
    public static RuleViolation? CheckHeadLabels(HeadRule head, int numLabels, string labelsKey) =>
        head.RequiredLabels == 0 || numLabels == head.RequiredLabels ? null
            : Invalid(labelsKey, head.HfClassName + " splits " + head.Classifier + " into start and end logits, so it needs "
                + Inv(head.RequiredLabels) + " labels (found " + Inv(numLabels) + ")");

    /// <summary>Every broken rule, at most one per key (the first), in the order the runtime checks them.</summary>
    public static List<RuleViolation> Check(ConfigValues c)
    {
        var found = new List<RuleViolation>();
        void Add(RuleViolation v)
        {
            foreach (var f in found)
            {
                if (f.Key == v.Key)
                    return;
            }
            found.Add(v);
        }

        bool sizesOk = CheckSizes(c, Add);

        if (c.HiddenSize > 0 && c.NumAttentionHeads > 0 && c.HiddenSize % c.NumAttentionHeads != 0)
            Add(new(RuleKind.NotDivisible, "hidden_size", Inv(c.HiddenSize) + " is not a multiple of num_attention_heads (" + Inv(c.NumAttentionHeads) + ")", Inv(c.HiddenSize)));
        if (c.NumHiddenGroups > 0 && c.NumHiddenLayers > 0 && c.NumHiddenGroups > c.NumHiddenLayers)
            Add(Invalid("num_hidden_groups", Inv(c.NumHiddenGroups) + " groups for " + Inv(c.NumHiddenLayers) + " layers: some groups would never be used (HF would leave them untrained)"));
        if (ActivationTable.KindOf(c.HiddenAct) is null)
            Add(new(RuleKind.UnknownActivation, "hidden_act", "unknown activation '" + c.HiddenAct + "' (known: " + ActivationTable.KnownNames() + ")", c.HiddenAct));
        if (c.PositionEmbeddingType != "absolute")
        {
            Add(new(RuleKind.UnsupportedPositionEmbedding, "position_embedding_type",
                c.PositionEmbeddingType is "relative_key" or "relative_key_query"
                    ? "'" + c.PositionEmbeddingType + "' is not supported by this engine; only 'absolute' is"
                    : "unknown value '" + c.PositionEmbeddingType + "'; only 'absolute' is supported",
                c.PositionEmbeddingType));
        }
        if (!(c.LayerNormEps > 0) || float.IsInfinity(c.LayerNormEps))
            Add(Invalid("layer_norm_eps", "must be a positive number, found " + c.LayerNormEps.ToString("R", CultureInfo.InvariantCulture)));
        if (c.ProblemType is not null && Array.IndexOf(ProblemTypes, c.ProblemType) < 0)
            Add(Invalid("problem_type", "unknown value '" + c.ProblemType + "' (known: " + string.Join(", ", ProblemTypes) + ")"));
        if (c.VocabSize > 0 && (c.PadTokenId < 0 || c.PadTokenId >= c.VocabSize))
            Add(Invalid("pad_token_id", Inv(c.PadTokenId) + " is outside the vocabulary (vocab_size " + Inv(c.VocabSize) + ")"));
        if (sizesOk)
            CheckBudgets(c, Add);
        return found;
    }

    /// <summary>
    /// The rules that bound what a weight list allocates: sizes positive, layer counts within <see cref="MaxLayers"/>,
    /// every tensor within <see cref="MaxTensorElements"/> and all of them within <see cref="MaxTotalElements"/>.
    /// Null when <see cref="WeightTable.For"/> may be called.
    /// </summary>
    public static RuleViolation? CheckSizes(ConfigValues c)
    {
        RuleViolation? first = null;
        void Keep(RuleViolation v) => first ??= v;
        if (CheckSizes(c, Keep))
            CheckBudgets(c, Keep);
        return first;
    }

    /// <summary>Positive sizes and layer counts; true when all hold (the budgets can then be computed without overflow).</summary>
    private static bool CheckSizes(ConfigValues c, Action<RuleViolation> add)
    {
        bool ok = true;
        void Positive(string key, int value)
        {
            if (value > 0)
                return;
            add(new(RuleKind.NonPositive, key, "must be positive, found " + Inv(value), Inv(value)));
            ok = false;
        }
        Positive("vocab_size", c.VocabSize);
        Positive("embedding_size", c.EmbeddingSize);
        Positive("hidden_size", c.HiddenSize);
        Positive("num_hidden_layers", c.NumHiddenLayers);
        Positive("num_hidden_groups", c.NumHiddenGroups);
        Positive("num_attention_heads", c.NumAttentionHeads);
        Positive("intermediate_size", c.IntermediateSize);
        Positive("inner_group_num", c.InnerGroupNum);
        Positive("max_position_embeddings", c.MaxPositionEmbeddings);
        Positive("type_vocab_size", c.TypeVocabSize);
        if (!ok)
            return false;

        void AtMost(string key, long value, string what)
        {
            if (value <= MaxLayers)
                return;
            add(Invalid(key, what + " is " + value.ToString(CultureInfo.InvariantCulture) + ", more than the limit of " + Inv(MaxLayers)));
            ok = false;
        }
        AtMost("num_hidden_layers", c.NumHiddenLayers, "num_hidden_layers");
        AtMost("num_hidden_groups", c.NumHiddenGroups, "num_hidden_groups");
        AtMost("inner_group_num", c.InnerGroupNum, "inner_group_num");
        if (ok)
        {
            AtMost("inner_group_num", (long)c.NumHiddenLayers * c.InnerGroupNum, "num_hidden_layers × inner_group_num (layers a forward runs)");
            AtMost("inner_group_num", (long)c.NumHiddenGroups * c.InnerGroupNum, "num_hidden_groups × inner_group_num (layers the checkpoint stores)");
        }
        return ok;
    }

    /// <summary>Per-tensor and total element budgets over every tensor any head could need; sizes must be positive and layer counts bounded.</summary>
    private static void CheckBudgets(ConfigValues c, Action<RuleViolation> add)
    {
        // the bare vocabulary projection (V × max(E, H)): MLM logits are computed through it
        long vocabRows = (long)c.VocabSize * Math.Max(c.EmbeddingSize, c.HiddenSize);
        if (vocabRows > MaxTensorElements)
            add(Invalid("vocab_size", "tensor of " + Inv(c.VocabSize) + "×" + Inv(Math.Max(c.EmbeddingSize, c.HiddenSize)) + " elements is too large"));

        long embeddings = 0, layer = 0, largestHead = 0;
        bool tensorsOk = vocabRows <= MaxTensorElements;
        void Tensor(string name, Dim[] dims, ref long sum)
        {
            long n = WeightTable.Elements(c, dims);
            if (n > MaxTensorElements)
            {
                tensorsOk = false;
                var parts = new string[dims.Length];
                for (int i = 0; i < dims.Length; i++)
                    parts[i] = Inv(WeightTable.Size(c, dims[i]));
                add(Invalid(WeightTable.DimKey(dims[0]), "tensor " + name + " of " + string.Join("×", parts) + " elements is too large (at most " + MaxTensorElements.ToString(CultureInfo.InvariantCulture) + ")"));
            }
            sum += n;
        }
        foreach (var t in WeightTable.Embeddings)
            Tensor(t.Name, t.Dims, ref embeddings);
        foreach (var t in WeightTable.Layer)
            Tensor(t.Name, t.Dims, ref layer);
        foreach (var head in HeadTable.Rows)
        {
            long sum = 0;
            foreach (var (name, dims) in WeightTable.HeadTemplates(head, c.TieWordEmbeddings))
                Tensor(name, dims, ref sum);
            largestHead = Math.Max(largestHead, sum);
        }
        if (!tensorsOk)
            return;

        long storedLayers = (long)c.NumHiddenGroups * c.InnerGroupNum;
        long total = embeddings + storedLayers * layer + largestHead;
        if (total <= MaxTotalElements)
            return;
        // blame the key behind the largest part
        string key = embeddings >= storedLayers * layer && embeddings >= largestHead ? "vocab_size"
            : storedLayers * layer >= largestHead
                ? storedLayers == 1 ? "hidden_size" : c.InnerGroupNum > c.NumHiddenGroups ? "inner_group_num" : "num_hidden_groups"
                : "hidden_size";
        add(Invalid(key, "the weights would hold " + total.ToString(CultureInfo.InvariantCulture) + " elements (embeddings "
            + embeddings.ToString(CultureInfo.InvariantCulture) + ", " + storedLayers.ToString(CultureInfo.InvariantCulture) + " stored layers × "
            + layer.ToString(CultureInfo.InvariantCulture) + ", head up to " + largestHead.ToString(CultureInfo.InvariantCulture)
            + "), more than the budget of " + MaxTotalElements.ToString(CultureInfo.InvariantCulture)));
    }

    private static RuleViolation Invalid(string key, string message) => new(RuleKind.Invalid, key, message, "");

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);
}
