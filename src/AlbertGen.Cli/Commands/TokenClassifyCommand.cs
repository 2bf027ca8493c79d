using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen token-classify "John lives in Paris" [--aggregation none|simple] [--json]</c>: HF's token-classification
/// (NER) pipeline: per token, or grouped into entities, with character offsets; "O" left out.
/// </summary>
internal static class TokenClassifyCommand
{
    public static Command Create()
    {
        var texts = new Argument<string[]>("text") { Description = "texts (none: one per stdin line)", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string>("--model") { Description = "token-classification model folder (HF layout, with its tokenizer)", Required = true };
        var aggregation = new Option<string>("--aggregation") { Description = "none (one result per token) or simple (adjacent tokens of one entity grouped)", DefaultValueFactory = _ => "none" };
        aggregation.AcceptOnlyFromAmong("none", "simple");
        var json = new Option<bool>("--json") { Description = "one JSON object per input line: text, entities (HF's fields)" };
        var cmd = new Command("token-classify", "Label each token (named entities) with a token-classification model") { texts, model, aggregation, json };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(texts), r.GetValue(model)!, r.GetValue(aggregation) == "simple", r.GetValue(json))));
        return cmd;
    }

    static int Run(string[]? texts, string model, bool grouped, bool json)
    {
        using var pipelines = TextPipelines.Open(model, AlbertHead.TokenClassification);
        using var stdout = Console.OpenStandardOutput();
        var inv = CultureInfo.InvariantCulture;
        TaskInputs.InBatches(TaskInputs.Texts(texts), batch =>
        {
            // one row per result: (label, score, index or null, word, start, end)
            var rows = grouped
                ? pipelines.ClassifyTokensGrouped(batch).Select(r => r.Select(g => (g.EntityGroup, g.Score, (int?)null, g.Word, g.Start, g.End)).ToArray()).ToArray()
                : pipelines.ClassifyTokens(batch).Select(r => r.Select(e => (e.Entity, e.Score, (int?)e.Index, e.Word, e.Start, e.End)).ToArray()).ToArray();
            for (int i = 0; i < batch.Count; i++)
            {
                if (json)
                {
                    using (var w = new Utf8JsonWriter(stdout))
                    {
                        w.WriteStartObject();
                        w.WriteString("text", batch[i]);
                        w.WriteStartArray("entities");
                        foreach (var (label, score, index, word, start, end) in rows[i])
                        {
                            w.WriteStartObject();
                            w.WriteString(grouped ? "entity_group" : "entity", label);
                            w.WriteNumber("score", score);
                            if (index is int at) w.WriteNumber("index", at);
                            w.WriteString("word", word);
                            w.WriteNumber("start", start);
                            w.WriteNumber("end", end);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }
                    stdout.Write("\n"u8);
                }
                else
                {
                    var text = new System.Text.StringBuilder(batch[i]).Append('\n');
                    foreach (var (label, score, _, _, start, end) in rows[i])
                        text.Append(string.Format(inv, "  {0,-8} {1,7:P1}  {2}  (chars {3}–{4})\n", label, score, batch[i][start..end].Trim(), start, end));
                    stdout.Write(System.Text.Encoding.UTF8.GetBytes(text.ToString()));
                }
            }
        });
        return 0;
    }
}
