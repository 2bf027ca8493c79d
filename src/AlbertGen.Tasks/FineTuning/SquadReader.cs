using System.Text.Json;
using AlbertGen.Json;
using AlbertGen.Model;

namespace AlbertGen.Tasks.FineTuning;

/// <summary>A gold answer: its text and its character offset in the context.</summary>
public readonly record struct SquadAnswer(string Text, int Start);

/// <summary>One SQuAD question over a context; no answers (and <see cref="IsImpossible"/>) for SQuAD 2.0's unanswerable ones.</summary>
public sealed record SquadExample(string Id, string Question, string Context, IReadOnlyList<SquadAnswer> Answers, bool IsImpossible);

/// <summary>A SQuAD file's questions; <see cref="Version2"/> when unanswerable questions are possible (version v2.x or any <c>is_impossible</c>).</summary>
public sealed record SquadData(List<SquadExample> Examples, bool Version2);

/// <summary>SQuAD v1.1 / v2.0 JSON: <c>data[].paragraphs[].context</c> and <c>qas[].{id, question, answers[{text, answer_start}], is_impossible}</c>.</summary>
public static class SquadReader
{
    public static SquadData Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"data file not found: {path}", path);
        var doc = StrictJson.ParseFile(path, default,
            (key, message, inner) => new AlbertInputException(
                inner is JsonException j ? $"{path}:{j.LineNumber + 1}: {message}" : key is null ? $"{path}: {message}" : $"{path}: {key}: {message}", inner));
        using (doc)
        {
            var root = doc.RootElement;
            bool v2 = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("version", out var ver) && ver.ValueKind == JsonValueKind.String
                && ver.GetString()!.StartsWith("v2", StringComparison.Ordinal);
            var examples = new List<SquadExample>();
            var data = Get(root, "data", JsonValueKind.Array, path, "$");
            int di = 0;
            foreach (var article in data.EnumerateArray())
            {
                string at = $"data[{di++}]";
                int pi = 0;
                foreach (var paragraph in Get(article, "paragraphs", JsonValueKind.Array, path, at).EnumerateArray())
                {
                    string pat = $"{at}.paragraphs[{pi++}]";
                    string context = Get(paragraph, "context", JsonValueKind.String, path, pat).GetString()!;
                    int qi = 0;
                    foreach (var qa in Get(paragraph, "qas", JsonValueKind.Array, path, pat).EnumerateArray())
                    {
                        string qat = $"{pat}.qas[{qi++}]";
                        string question = Get(qa, "question", JsonValueKind.String, path, qat).GetString()!;
                        string id = qa.TryGetProperty("id", out var idEl) ? idEl.ToString() : qat;
                        bool impossible = qa.TryGetProperty("is_impossible", out var imp) && imp.ValueKind == JsonValueKind.True;
                        if (qa.TryGetProperty("is_impossible", out _)) v2 = true;
                        var answers = new List<SquadAnswer>();
                        if (!impossible)
                        {
                            int ai = 0;
                            foreach (var answer in Get(qa, "answers", JsonValueKind.Array, path, qat).EnumerateArray())
                            {
                                string aat = $"{qat}.answers[{ai++}]";
                                string text = Get(answer, "text", JsonValueKind.String, path, aat).GetString()!;
                                var startEl = Get(answer, "answer_start", JsonValueKind.Number, path, aat);
                                if (!startEl.TryGetInt32(out int start) || start < 0 || start + text.Length > context.Length)
                                    throw new AlbertInputException($"{path}: {aat}.answer_start {StrictJson.Describe(startEl)} does not place '{text}' inside the context ({context.Length} chars)");
                                answers.Add(new SquadAnswer(text, start));
                            }
                        }
                        examples.Add(new SquadExample(id, question, context, answers, impossible || answers.Count == 0));
                    }
                }
            }
            if (examples.Count == 0) throw new AlbertInputException($"{path}: no questions");
            return new SquadData(examples, v2);
        }
    }

    static JsonElement Get(JsonElement obj, string key, JsonValueKind kind, string path, string at)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            throw new AlbertInputException($"{path}: {at} must be a JSON object");
        if (!obj.TryGetProperty(key, out var el) || el.ValueKind != kind)
            throw new AlbertInputException($"{path}: {at}.{key} is missing or not a {kind.ToString().ToLowerInvariant()}");
        return el;
    }
}
