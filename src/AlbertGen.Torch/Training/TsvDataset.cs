using System.Globalization;
using AlbertGen.Model;

namespace AlbertGen.Torch.Training;

/// <summary>
/// GLUE-style single-sentence classification data: a TSV with a header naming <c>sentence</c> and <c>label</c> columns
/// (SST-2), or CoLA's header-less layout (source, label, original mark, sentence). Labels are class indices.
/// </summary>
public static class TsvDataset
{
    public static List<(string Text, int Label)> Read(string path, int numLabels)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"data file not found: {path}", path);
        var lines = File.ReadLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw new AlbertInputException($"{path}: no examples");
        var header = lines[0].Split('\t');
        int textCol = Array.IndexOf(header, "sentence"), labelCol = Array.IndexOf(header, "label");
        bool hasHeader = textCol >= 0 && labelCol >= 0;
        if (!hasHeader) { textCol = 3; labelCol = 1; } // CoLA
        var examples = new List<(string, int)>();
        for (int i = hasHeader ? 1 : 0; i < lines.Count; i++)
        {
            var cols = lines[i].Split('\t');
            if (cols.Length <= Math.Max(textCol, labelCol))
                throw new AlbertInputException($"{path}:{i + 1}: expected at least {Math.Max(textCol, labelCol) + 1} tab-separated columns");
            if (!int.TryParse(cols[labelCol], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label) || label < 0 || label >= numLabels)
                throw new AlbertInputException($"{path}:{i + 1}: label '{cols[labelCol]}' is not a class index in [0, {numLabels})");
            examples.Add((cols[textCol].Trim(), label));
        }
        return examples;
    }
}
