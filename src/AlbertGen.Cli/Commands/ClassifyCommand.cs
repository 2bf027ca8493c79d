using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Cli.Commands;

/// <summary><c>albertgen classify "a gripping, funny film" [--json]</c>: labels from <c>id2label</c> with their probabilities.</summary>
internal static class ClassifyCommand
{
    public const string DefaultModel = DefaultModels.Sentiment;

    public static Command Create()
    {
        var texts = new Argument<string[]>("text") { Description = "texts (none: one per stdin line)", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string?>("--model") { Description = $"sequence-classification model folder (default: the embedded {DefaultModel})" };
        var json = new Option<bool>("--json") { Description = "one JSON object per input line: label, score, scores" };
        var cmd = new Command("classify", "Classify texts with a sequence-classification model") { texts, model, json };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(texts), r.GetValue(model), r.GetValue(json))));
        return cmd;
    }

    static int Run(string[]? texts, string? model, bool json)
    {
        string dir = TaskInputs.ModelDirectory(model, DefaultModel);
        using var pipelines = TextPipelines.Open(dir, AlbertHead.SequenceClassification);
        using var stdout = Console.OpenStandardOutput();
        var inv = CultureInfo.InvariantCulture;
        TaskInputs.InBatches(TaskInputs.Texts(texts), batch =>
        {
            var results = pipelines.Classify(batch);
            for (int i = 0; i < batch.Count; i++)
            {
                var best = results[i][0];
                if (json)
                {
                    using (var w = new Utf8JsonWriter(stdout))
                    {
                        w.WriteStartObject();
                        w.WriteString("text", batch[i]);
                        w.WriteString("label", best.Label);
                        w.WriteNumber("score", best.Score);
                        w.WriteStartObject("scores");
                        foreach (var s in results[i]) w.WriteNumber(s.Label, s.Score);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                    stdout.Write("\n"u8);
                }
                else
                {
                    stdout.Write(System.Text.Encoding.UTF8.GetBytes(string.Format(inv, "{0,-10} {1,7:P1}  {2}\n", best.Label, best.Score, batch[i])));
                }
            }
        });
        return 0;
    }
}
