using System.Text.RegularExpressions;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.Pretraining;

/// <summary>
/// Streams a text corpus as tokenized documents: each file is a document (or several: a document is cut after
/// <see cref="MaxSentencesPerDocument"/> sentences, which bounds memory for any corpus size); lines are paragraphs,
/// split into sentences at ., ! or ? followed by space and a capital, digit or opening quote. Empty lines are skipped.
/// </summary>
public static partial class CorpusReader
{
    public const int MaxSentencesPerDocument = 4096;

    [GeneratedRegex(@"(?<=[.!?][""'”’)\]]*)\s+(?=[\p{Lu}\p{N}""'“‘(\[])")]
    private static partial Regex SentenceBoundary();

    public static IEnumerable<string> Sentences(string paragraph) =>
        SentenceBoundary().Split(paragraph.Trim()).Where(s => s.Length > 0);

    /// <summary>Documents of the given files (or every *.txt under given folders), in order.</summary>
    public static IEnumerable<IReadOnlyList<int[]>> Documents(IEnumerable<string> paths, AlbertTokenizer tokenizer)
    {
        foreach (var file in Files(paths))
        {
            var document = new List<int[]>();
            foreach (var line in File.ReadLines(file))
            {
                if (line.Trim().Length == 0) continue;
                foreach (var sentence in Sentences(line))
                {
                    var ids = tokenizer.TokenizeToSpans(sentence).Select(t => t.Id).ToArray();
                    if (ids.Length > 0) document.Add(ids);
                    if (document.Count == MaxSentencesPerDocument)
                    {
                        yield return document;
                        document = [];
                    }
                }
            }
            if (document.Count > 0) yield return document;
        }
    }

    /// <summary>The files behind <paramref name="paths"/>: files as given, folders as their *.txt in ordinal order.</summary>
    public static IEnumerable<string> Files(IEnumerable<string> paths)
    {
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                foreach (var f in Directory.GetFiles(p, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                    yield return f;
            }
            else if (File.Exists(p))
            {
                yield return p;
            }
            else
            {
                throw new FileNotFoundException($"corpus path not found: {p}", p);
            }
        }
    }
}
