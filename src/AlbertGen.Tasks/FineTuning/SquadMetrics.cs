using System.Text;
using System.Text.RegularExpressions;

namespace AlbertGen.Tasks.FineTuning;

/// <summary>
/// The official SQuAD v1.1 / v2.0 evaluation: answers normalised (lower case, ASCII punctuation removed, articles
/// a / an / the removed, whitespace collapsed), exact match and bag-of-tokens F1, each the maximum over the gold
/// answers; an unanswerable question has the single gold answer "" (v2). Scores are percentages, as the script prints.
/// </summary>
public static partial class SquadMetrics
{
    const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"; // Python's string.punctuation

    [GeneratedRegex(@"\b(a|an|the)\b")]
    private static partial Regex Articles();

    public static string Normalize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s.ToLowerInvariant())
            if (Punctuation.IndexOf(c) < 0) sb.Append(c);
        string noArticles = Articles().Replace(sb.ToString(), " ");
        return string.Join(' ', noArticles.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    public static double ExactMatch(string prediction, string gold) => Normalize(prediction) == Normalize(gold) ? 1 : 0;

    public static double F1(string prediction, string gold)
    {
        var p = Normalize(prediction).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var g = Normalize(gold).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (p.Length == 0 || g.Length == 0) return p.Length == g.Length ? 1 : 0;
        var counts = g.GroupBy(t => t).ToDictionary(x => x.Key, x => x.Count());
        int same = 0;
        foreach (var t in p)
        {
            if (counts.TryGetValue(t, out int c) && c > 0)
            {
                same++;
                counts[t] = c - 1;
            }
        }
        if (same == 0) return 0;
        double precision = (double)same / p.Length, recall = (double)same / g.Length;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>(exact_match, f1) in percent over the predictions; an empty gold list means unanswerable (gold "").</summary>
    public static (double ExactMatch, double F1) Score(IReadOnlyList<string> predictions, IReadOnlyList<IReadOnlyList<string>> golds)
    {
        if (predictions.Count != golds.Count) throw new ArgumentException($"{predictions.Count} predictions for {golds.Count} questions");
        if (predictions.Count == 0) return (0, 0);
        double em = 0, f1 = 0;
        for (int i = 0; i < predictions.Count; i++)
        {
            IReadOnlyList<string> gold = golds[i].Count == 0 ? [""] : golds[i];
            em += gold.Max(g => ExactMatch(predictions[i], g));
            f1 += gold.Max(g => F1(predictions[i], g));
        }
        return (100 * em / predictions.Count, 100 * f1 / predictions.Count);
    }
}
