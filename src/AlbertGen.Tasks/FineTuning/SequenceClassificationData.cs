using System.Globalization;
using AlbertGen.Model;

namespace AlbertGen.Tasks.FineTuning;

/// <summary>
/// GLUE-style TSV for sequence classification. With a header: the text in <c>sentence</c> (or <c>text</c>), or a pair in
/// <c>sentence1</c>/<c>sentence2</c>, <c>question</c>/<c>sentence</c> or <c>question1</c>/<c>question2</c>; the label in
/// <c>label</c> (or <c>score</c>). Without one: CoLA's layout (source, label, original mark, sentence). Labels: a class
/// index or label name (single-label), a number (regression), comma-separated indices or names (multi-label, may be empty).
/// </summary>
public static class SequenceClassificationData
{
    public const string SingleLabel = "single_label_classification";
    public const string Regression = "regression";
    public const string MultiLabel = "multi_label_classification";

    public static List<SequenceExample> Read(string path, IReadOnlyList<string> labels, string problemType)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"data file not found: {path}", path);
        if (problemType is not (SingleLabel or Regression or MultiLabel))
            throw new ArgumentException($"unknown problem type '{problemType}' (known: {SingleLabel}, {Regression}, {MultiLabel})");
        var lines = File.ReadAllLines(path);
        int first = Array.FindIndex(lines, l => l.Length > 0);
        if (first < 0) throw new AlbertInputException($"{path}: no examples");
        var header = lines[first].Split('\t');
        int Col(params string[] names) => names.Select(n => Array.IndexOf(header, n)).FirstOrDefault(i => i >= 0, -1);
        int labelCol = Col("label", "score");
        int textCol = -1, pairCol = -1;
        foreach (var (a, b) in new[] { ("sentence1", "sentence2"), ("question", "sentence"), ("question1", "question2") })
        {
            if (Col(a) >= 0 && Col(b) >= 0) { textCol = Col(a); pairCol = Col(b); break; }
        }
        if (textCol < 0) textCol = Col("sentence", "text");
        bool hasHeader = labelCol >= 0 && textCol >= 0;
        if (!hasHeader)
        {
            if (header.Contains("label") || header.Contains("score") || header.Contains("sentence"))
                throw new AlbertInputException($"{path}:{first + 1}: the header needs a text column (sentence, text, sentence1+sentence2, question+sentence, question1+question2) and a label column (label or score)");
            textCol = 3; labelCol = 1; // CoLA
        }
        int needed = Math.Max(Math.Max(textCol, labelCol), pairCol) + 1;
        var examples = new List<SequenceExample>();
        for (int i = hasHeader ? first + 1 : first; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var cols = lines[i].Split('\t');
            if (cols.Length < needed)
                throw new AlbertInputException($"{path}:{i + 1}: expected at least {needed} tab-separated columns, found {cols.Length}");
            string where = $"{path}:{i + 1}";
            string text = cols[textCol].Trim(), raw = cols[labelCol].Trim();
            string? pair = pairCol >= 0 ? cols[pairCol].Trim() : null;
            examples.Add(problemType switch
            {
                Regression => new SequenceExample(text, pair, -1, [ParseValue(raw, where)]),
                MultiLabel => new SequenceExample(text, pair, -1, ParseLabelSet(raw, labels, where)),
                _ => new SequenceExample(text, pair, ParseClass(raw, labels, where)),
            });
        }
        if (examples.Count == 0) throw new AlbertInputException($"{path}: no examples");
        return examples;
    }

    static float ParseValue(string raw, string where) =>
        float.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v) ? v
            : throw new AlbertInputException($"{where}: regression label '{raw}' is not a number");

    static int ParseClass(string raw, IReadOnlyList<string> labels, string where)
    {
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
        {
            if (id >= 0 && id < labels.Count) return id;
        }
        else
        {
            for (int k = 0; k < labels.Count; k++) if (labels[k] == raw) return k;
        }
        throw new AlbertInputException($"{where}: label '{raw}' is not a class index in [0, {labels.Count}) nor a label name ({string.Join(", ", labels)})");
    }

    static float[] ParseLabelSet(string raw, IReadOnlyList<string> labels, string where)
    {
        var set = new float[labels.Count];
        foreach (var part in raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            set[ParseClass(part, labels, where)] = 1;
        return set;
    }

    /// <summary>Label names for multi-label data given without a label list: the names used (sorted), or LABEL_0…LABEL_max for indices.</summary>
    public static List<string> CollectLabelSet(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"data file not found: {path}", path);
        var lines = File.ReadLines(path).Where(l => l.Length > 0).ToList();
        var header = lines.FirstOrDefault()?.Split('\t') ?? [];
        int labelCol = Array.IndexOf(header, "label");
        if (labelCol < 0) throw new AlbertInputException($"{path}:1: multi-label data needs a header with a label column (or give --labels)");
        var names = lines.Skip(1)
            .SelectMany(l => l.Split('\t') is var c && c.Length > labelCol ? c[labelCol].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [])
            .Distinct().ToList();
        if (names.Count > 0 && names.All(n => int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0))
        {
            int max = names.Max(n => int.Parse(n, CultureInfo.InvariantCulture));
            return Enumerable.Range(0, max + 1).Select(i => $"LABEL_{i}").ToList();
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
