using System.Text;
using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Json;

namespace AlbertGen.Model;

/// <summary>
/// One model input, with HF's keyword names. Ids are flat row-major (rows × seq), where rows = batch, or
/// batch × num_choices for multiple choice (<see cref="NumChoices"/> &gt; 0). Optional labels as HF's heads take them.
/// </summary>
public sealed class AlbertBatch
{
    public AlbertBatch(int rows, int sequenceLength, int[] inputIds, int[]? attentionMask = null, int[]? tokenTypeIds = null, int numChoices = 0)
    {
        if (rows <= 0 || sequenceLength <= 0)
            throw new AlbertInputException($"input_ids must have at least one row and one position, found {rows} × {sequenceLength}");
        if ((long)rows * sequenceLength != inputIds.Length)
            throw new AlbertInputException($"input_ids has {inputIds.Length} ids, expected {rows} × {sequenceLength}");
        if (attentionMask is not null && attentionMask.Length != inputIds.Length)
            throw new AlbertInputException($"attention_mask has {attentionMask.Length} entries, input_ids has {inputIds.Length}");
        if (tokenTypeIds is not null && tokenTypeIds.Length != inputIds.Length)
            throw new AlbertInputException($"token_type_ids has {tokenTypeIds.Length} entries, input_ids has {inputIds.Length}");
        if (numChoices < 0 || (numChoices > 0 && rows % numChoices != 0))
            throw new AlbertInputException($"{rows} rows cannot be split into choices of {numChoices}");
        Rows = rows;
        SequenceLength = sequenceLength;
        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
        NumChoices = numChoices;
    }

    /// <summary>Number of sequences the encoder runs (batch, or batch × num_choices).</summary>
    public int Rows { get; }
    public int SequenceLength { get; }
    /// <summary>0 unless the ids were given as (batch, num_choices, seq).</summary>
    public int NumChoices { get; }
    /// <summary>The batch size as HF reports it (rows / num_choices for multiple choice).</summary>
    public int BatchSize => NumChoices > 0 ? Rows / NumChoices : Rows;

    public int[] InputIds { get; }
    /// <summary>1 = attend, 0 = padding; null means all ones.</summary>
    public int[]? AttentionMask { get; }
    /// <summary>null means all zeros.</summary>
    public int[]? TokenTypeIds { get; }

    /// <summary>Integer <c>labels</c> (MLM / token / single-label / multiple-choice), with their shape.</summary>
    public int[]? Labels { get; init; }
    /// <summary>Float <c>labels</c> (regression, multi-label).</summary>
    public float[]? FloatLabels { get; init; }
    public int[]? LabelsShape { get; init; }
    public int[]? SentenceOrderLabel { get; init; }
    public int[]? StartPositions { get; init; }
    public int[]? EndPositions { get; init; }

    public bool HasLabels => Labels is not null || FloatLabels is not null || SentenceOrderLabel is not null || StartPositions is not null || EndPositions is not null;

    public int AttentionMaskAt(int row, int pos) => AttentionMask is null ? 1 : AttentionMask[row * SequenceLength + pos];

    /// <summary>Checks ids against the config: ids &lt; vocab_size, seq ≤ max_position_embeddings, token types &lt; type_vocab_size, mask 0/1.</summary>
    public void Validate(AlbertConfig config)
    {
        if (SequenceLength > config.MaxPositionEmbeddings)
            throw new AlbertInputException($"sequence length {SequenceLength} exceeds max_position_embeddings ({config.MaxPositionEmbeddings})");
        for (int i = 0; i < InputIds.Length; i++)
        {
            int id = InputIds[i];
            if ((uint)id >= (uint)config.VocabSize)
                throw new AlbertInputException($"input_ids[{i / SequenceLength}][{i % SequenceLength}] = {id} is outside the vocabulary (vocab_size {config.VocabSize})");
        }
        if (TokenTypeIds is not null)
        {
            for (int i = 0; i < TokenTypeIds.Length; i++)
            {
                if ((uint)TokenTypeIds[i] >= (uint)config.TypeVocabSize)
                    throw new AlbertInputException($"token_type_ids[{i / SequenceLength}][{i % SequenceLength}] = {TokenTypeIds[i]} is outside type_vocab_size ({config.TypeVocabSize})");
            }
        }
        if (AttentionMask is not null)
        {
            for (int i = 0; i < AttentionMask.Length; i++)
            {
                if (AttentionMask[i] is not (0 or 1))
                    throw new AlbertInputException($"attention_mask[{i / SequenceLength}][{i % SequenceLength}] = {AttentionMask[i]}; expected 0 or 1");
            }
        }
    }

    /// <summary><see cref="Validate(AlbertConfig)"/> plus the shape the head takes: batch × num_choices × seq for multiple choice only.</summary>
    public void Validate(AlbertConfig config, AlbertHead head)
    {
        Validate(config);
        if (head == AlbertHead.MultipleChoice && NumChoices == 0)
            throw new AlbertInputException("multiple choice needs input_ids shaped batch × num_choices × seq");
        if (head != AlbertHead.MultipleChoice && NumChoices > 0)
            throw new AlbertInputException($"input_ids is batch × num_choices × seq, which only the multiple-choice head takes (this model is {head.CliName()})");
    }

    /// <summary>Reads an <c>inputs.json</c> (HF keyword names) from a file.</summary>
    public static AlbertBatch Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"inputs file not found: {path}", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Largest input we accept from JSON (ids), so a hostile file cannot make us allocate without bound.</summary>
    public const int MaxJsonElements = 1 << 24;

    /// <summary>
    /// Parses HF keyword arguments: <c>input_ids</c> (required; batch × seq, or batch × choices × seq),
    /// <c>attention_mask</c>, <c>token_type_ids</c>, <c>labels</c>, <c>sentence_order_label</c>,
    /// <c>start_positions</c>, <c>end_positions</c>. Other keys are rejected by name.
    /// </summary>
    public static AlbertBatch Parse(string json, string source = "inputs.json") => Parse(Encoding.UTF8.GetBytes(json), source);

    /// <summary>As <see cref="Parse(string, string)"/>, from UTF-8 bytes (invalid UTF-8 in a string is an error naming the key).</summary>
    public static AlbertBatch Parse(ReadOnlyMemory<byte> utf8Json, string source = "inputs.json")
    {
        var doc = StrictJson.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 8 },
            (key, message, inner) => new AlbertInputException(key is null ? $"{source}: {message}" : $"{source}: '{key}': {message}", inner));
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new AlbertInputException($"{source}: expected a JSON object with input_ids");
            string[] known = ["input_ids", "attention_mask", "token_type_ids", "labels", "sentence_order_label", "start_positions", "end_positions"];
            foreach (var p in root.EnumerateObject())
            {
                if (Array.IndexOf(known, p.Name) < 0)
                    throw new AlbertInputException($"{source}: unknown key '{p.Name}' (known: {string.Join(", ", known)})");
            }
            if (!root.TryGetProperty("input_ids", out var idsEl))
                throw new AlbertInputException($"{source}: 'input_ids' is required");
            var ids = JsonArray.Read(idsEl, source, "input_ids", integer: true);
            if (ids.Shape.Length is not (2 or 3))
                throw new AlbertInputException($"{source}: 'input_ids' must be batch × seq (or batch × choices × seq), found {ids.Shape.Length} dimension(s)");
            int seq = ids.Shape[^1];
            int rows = ids.Shape.Length == 2 ? ids.Shape[0] : ids.Shape[0] * ids.Shape[1];
            int choices = ids.Shape.Length == 3 ? ids.Shape[1] : 0;

            int[]? Same(string key)
            {
                if (!root.TryGetProperty(key, out var el) || el.ValueKind == JsonValueKind.Null) return null;
                var a = JsonArray.Read(el, source, key, integer: true);
                if (!a.Shape.AsSpan().SequenceEqual(ids.Shape))
                    throw new AlbertInputException($"{source}: '{key}' has shape [{string.Join(", ", a.Shape)}], input_ids has [{string.Join(", ", ids.Shape)}]");
                return a.Ints;
            }
            int[]? Vector(string key)
            {
                if (!root.TryGetProperty(key, out var el) || el.ValueKind == JsonValueKind.Null) return null;
                var a = JsonArray.Read(el, source, key, integer: true);
                int batch = ids.Shape[0];
                if (!(a.Shape.Length == 1 && a.Shape[0] == batch) && !(a.Shape.Length == 2 && a.Shape[0] == batch && a.Shape[1] == 1))
                    throw new AlbertInputException($"{source}: '{key}' must have one entry per batch row ({batch}), found shape [{string.Join(", ", a.Shape)}]");
                return a.Ints;
            }

            int[]? labels = null;
            float[]? floatLabels = null;
            int[]? labelShape = null;
            if (root.TryGetProperty("labels", out var labEl) && labEl.ValueKind != JsonValueKind.Null)
            {
                var a = JsonArray.Read(labEl, source, "labels", integer: false);
                labelShape = a.Shape;
                if (a.AllIntegers) labels = a.Ints;
                else floatLabels = a.Floats;
            }
            return new AlbertBatch(rows, seq, ids.Ints!, Same("attention_mask"), Same("token_type_ids"), choices)
            {
                Labels = labels,
                FloatLabels = floatLabels,
                LabelsShape = labelShape,
                SentenceOrderLabel = Vector("sentence_order_label"),
                StartPositions = Vector("start_positions"),
                EndPositions = Vector("end_positions"),
            };
        }
    }

    /// <summary>A rectangular numeric JSON array read into flat storage with its shape.</summary>
    readonly struct JsonArray
    {
        public int[] Shape { get; init; }
        public int[]? Ints { get; init; }
        public float[] Floats { get; init; }
        public bool AllIntegers { get; init; }

        public static JsonArray Read(JsonElement el, string source, string key, bool integer)
        {
            var shape = new List<int>();
            var e = el;
            while (e.ValueKind == JsonValueKind.Array)
            {
                int n = e.GetArrayLength();
                if (n == 0)
                    throw new AlbertInputException($"{source}: '{key}' has an empty dimension");
                shape.Add(n);
                e = e[0];
            }
            if (shape.Count == 0)
                throw new AlbertInputException($"{source}: '{key}' must be an array");
            long total = shape.Aggregate(1L, (a, b) => a * b);
            if (total > MaxJsonElements)
                throw new AlbertInputException($"{source}: '{key}' has {total} elements, more than the {MaxJsonElements} we accept");
            var floats = new float[total];
            var ints = new int[total];
            bool allInt = true;
            int k = 0;
            Walk(el, 0);
            void Walk(JsonElement node, int depth)
            {
                if (depth < shape.Count)
                {
                    if (node.ValueKind != JsonValueKind.Array || node.GetArrayLength() != shape[depth])
                        throw new AlbertInputException($"{source}: '{key}' is ragged: rows must all have {shape[depth]} entries at depth {depth}");
                    foreach (var child in node.EnumerateArray()) Walk(child, depth + 1);
                    return;
                }
                if (node.ValueKind != JsonValueKind.Number)
                    throw new AlbertInputException($"{source}: '{key}' holds {StrictJson.Describe(node)}, expected numbers");
                if (node.TryGetInt32(out int iv))
                {
                    ints[k] = iv;
                    floats[k] = iv;
                }
                else
                {
                    if (integer)
                        throw new AlbertInputException($"{source}: '{key}' must hold integers, found {StrictJson.Describe(node)}");
                    allInt = false;
                    if (!node.TryGetDouble(out double d) || !double.IsFinite((float)d))
                        throw new AlbertInputException($"{source}: '{key}' holds {StrictJson.Describe(node)}, outside float32's range");
                    floats[k] = (float)d;
                }
                k++;
            }
            return new JsonArray { Shape = [.. shape], Ints = allInt ? ints : null, Floats = floats, AllIntegers = allInt };
        }
    }
}
