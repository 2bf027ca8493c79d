using AlbertGen.Model;

namespace AlbertGen.Tasks.FineTuning;

/// <summary>A sentence of whitespace-free words with a tag each; word i was read from line <see cref="FirstLine"/> + i of <see cref="Source"/>.</summary>
public sealed record TaggedSentence(string[] Words, string[] Tags, string Source, int FirstLine);

/// <summary>
/// CoNLL-style token files (CoNLL-2003, WNUT): one token per line, its tag in the last whitespace-separated column,
/// a blank line between sentences, <c>-DOCSTART-</c> lines skipped.
/// </summary>
public static class ConllReader
{
    public static List<TaggedSentence> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"data file not found: {path}", path);
        var sentences = new List<TaggedSentence>();
        var words = new List<string>();
        var tags = new List<string>();
        int first = 0, lineNo = 0;
        void Flush()
        {
            if (words.Count > 0) sentences.Add(new TaggedSentence([.. words], [.. tags], path, first));
            words.Clear();
            tags.Clear();
        }
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            var cols = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (cols.Length == 0)
            {
                Flush();
                continue;
            }
            if (cols[0].StartsWith("-DOCSTART-", StringComparison.Ordinal)) continue;
            if (cols.Length < 2)
                throw new AlbertInputException($"{path}:{lineNo}: expected a token and a tag separated by whitespace, found '{line.Trim()}'");
            if (words.Count == 0) first = lineNo;
            words.Add(cols[0]);
            tags.Add(cols[^1]);
        }
        Flush();
        if (sentences.Count == 0) throw new AlbertInputException($"{path}: no sentences");
        return sentences;
    }

    /// <summary>The tags used, sorted (HF run_ner's <c>get_label_list</c>).</summary>
    public static List<string> LabelList(IEnumerable<TaggedSentence> sentences)
    {
        var labels = sentences.SelectMany(s => s.Tags).Distinct().ToList();
        labels.Sort(StringComparer.Ordinal);
        return labels;
    }
}
