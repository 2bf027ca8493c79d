using System.Text.Json;
using AlbertGen.Json;
using AlbertGen.Model;

namespace AlbertGen.Tasks.FineTuning;

/// <summary>One multiple-choice question: a context, an optional question, the choices and the index of the right one.</summary>
public sealed record ChoiceExample(string Context, string? Question, string[] Choices, int Label);

/// <summary>
/// JSON lines, one question per line: <c>{"context": "...", "question": "..." (optional), "choices": ["...", ...], "label": k}</c>;
/// every line has the same number of choices (at least two), and <c>label</c> is a choice index. Blank lines are skipped.
/// </summary>
public static class MultipleChoiceReader
{
    public static List<ChoiceExample> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"data file not found: {path}", path);
        var examples = new List<ChoiceExample>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string at = $"{path}:{lineNo}";
            var doc = StrictJson.Parse(line, default,
                (key, message, inner) => new AlbertInputException(key is null ? $"{at}: {message}" : $"{at}: '{key}': {message}", inner));
            using (doc)
            {
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object) throw new AlbertInputException($"{at}: expected a JSON object");
                if (!o.TryGetProperty("context", out var ctx) || ctx.ValueKind != JsonValueKind.String)
                    throw new AlbertInputException($"{at}: 'context' is missing or not a string");
                string? question = null;
                if (o.TryGetProperty("question", out var q) && q.ValueKind != JsonValueKind.Null)
                    question = q.ValueKind == JsonValueKind.String ? q.GetString() : throw new AlbertInputException($"{at}: 'question' must be a string");
                if (!o.TryGetProperty("choices", out var ch) || ch.ValueKind != JsonValueKind.Array || ch.GetArrayLength() < 2
                    || ch.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
                    throw new AlbertInputException($"{at}: 'choices' must be an array of at least two strings");
                var choices = ch.EnumerateArray().Select(c => c.GetString()!).ToArray();
                if (examples.Count > 0 && choices.Length != examples[0].Choices.Length)
                    throw new AlbertInputException($"{at}: {choices.Length} choices, earlier lines have {examples[0].Choices.Length} (all questions need the same number)");
                if (!o.TryGetProperty("label", out var lab) || !StrictJson.TryGetInt32(lab, out int label) || label < 0 || label >= choices.Length)
                    throw new AlbertInputException($"{at}: 'label' must be a choice index in [0, {choices.Length})");
                examples.Add(new ChoiceExample(ctx.GetString()!, question, choices, label));
            }
        }
        if (examples.Count == 0) throw new AlbertInputException($"{path}: no examples");
        return examples;
    }
}
