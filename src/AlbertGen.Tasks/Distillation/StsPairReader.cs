using System.Globalization;
using AlbertGen.Model;

namespace AlbertGen.Tasks.Distillation;

/// <summary>
/// Sentence pairs with a gold similarity in the STS benchmark's layout: TAB-separated
/// <c>genre filename year index score sentence1 sentence2</c>, optionally followed by license columns (which are
/// ignored), one pair a line, with or without a header line starting <c>genre</c> (the header of
/// <c>tasks/STS-B/test.tsv</c>). A trailing CR is dropped; blank lines are skipped. Any other deviation — fewer than
/// seven columns, a score that is not a number in [0, 5], an empty sentence — is an <see cref="AlbertInputException"/>
/// naming the file and line.
/// </summary>
public static class StsPairReader
{
    public const double MaxScore = 5.0;

    public static IReadOnlyList<SentencePair> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"sentence-pair file not found: {path}", path);
        var pairs = new List<SentencePair>();
        int lineNo = 0;
        bool first = true;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            string line = raw.EndsWith('\r') ? raw[..^1] : raw;
            if (line.Trim().Length == 0) continue;
            var cells = line.Split('\t');
            bool header = first && cells[0] == "genre";
            first = false;
            if (header) continue;
            if (cells.Length < 7)
                throw new AlbertInputException($"{path}:{lineNo}: {cells.Length} TAB-separated columns, an STS benchmark pair needs 7 (genre filename year index score sentence1 sentence2)");
            if (!double.TryParse(cells[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double score) || !(score >= 0 && score <= MaxScore))
                throw new AlbertInputException($"{path}:{lineNo}: score '{Escape(cells[4])}' (column 5) is not a number in [0, {MaxScore}]");
            string a = cells[5].Trim(), b = cells[6].Trim();
            if (a.Length == 0 || b.Length == 0)
                throw new AlbertInputException($"{path}:{lineNo}: sentence{(a.Length == 0 ? 1 : 2)} (column {(a.Length == 0 ? 6 : 7)}) is empty");
            pairs.Add(new SentencePair(a, b, score));
        }
        if (pairs.Count == 0)
            throw new AlbertInputException($"{path}: no sentence pairs (STS benchmark layout: genre filename year index score sentence1 sentence2, TAB-separated)");
        return pairs;
    }

    static string Escape(string s)
    {
        string t = s.Length > 40 ? s[..40] + "…" : s;
        return string.Concat(t.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
