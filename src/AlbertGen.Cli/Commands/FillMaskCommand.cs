using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Cli.Commands;

/// <summary><c>albertgen fill-mask "The [MASK] was bright." [--top-k 5] [--json]</c>: the most likely tokens for each [MASK].</summary>
internal static class FillMaskCommand
{
    public const string DefaultModel = DefaultModels.FillMask;

    public static Command Create()
    {
        var texts = new Argument<string[]>("text") { Description = "texts with [MASK] (none: one per stdin line)", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string?>("--model") { Description = $"model folder (default: the embedded {DefaultModel})" };
        var topK = new Option<int>("--top-k") { Description = "candidates per mask", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "one JSON object per input line" };
        var cmd = new Command("fill-mask", "Predict the tokens hidden behind [MASK]") { texts, model, topK, json };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(texts), r.GetValue(model), r.GetValue(topK), r.GetValue(json))));
        return cmd;
    }

    static int Run(string[]? texts, string? model, int topK, bool json)
    {
        if (topK < 1) throw new ArgumentException("--top-k must be ≥ 1");
        string dir = TaskInputs.ModelDirectory(model, DefaultModel);
        using var pipelines = TextPipelines.OpenForFillMask(dir);
        using var stdout = Console.OpenStandardOutput();
        var inv = CultureInfo.InvariantCulture;
        TaskInputs.InBatches(TaskInputs.Texts(texts), batch =>
        {
            var results = pipelines.FillMask(batch, topK);
            for (int i = 0; i < batch.Count; i++)
            {
                if (json)
                {
                    using (var w = new Utf8JsonWriter(stdout))
                    {
                        w.WriteStartObject();
                        w.WriteString("text", batch[i]);
                        w.WritePropertyName("candidates");
                        // one mask: a list of candidates (as HF); several masks: one list per mask
                        if (results[i].Count > 1) w.WriteStartArray();
                        foreach (var mask in results[i])
                        {
                            w.WriteStartArray();
                            foreach (var c in mask)
                            {
                                w.WriteStartObject();
                                w.WriteString("token", c.Token);
                                w.WriteNumber("token_id", c.TokenId);
                                w.WriteNumber("score", c.Score);
                                w.WriteString("sequence", c.Sequence);
                                w.WriteEndObject();
                            }
                            w.WriteEndArray();
                        }
                        if (results[i].Count > 1) w.WriteEndArray();
                        w.WriteEndObject();
                    }
                    stdout.Write("\n"u8);
                }
                else
                {
                    var text = new System.Text.StringBuilder().AppendLine(batch[i]);
                    for (int m = 0; m < results[i].Count; m++)
                    {
                        if (results[i].Count > 1) text.AppendLine($"  [MASK] #{m + 1}");
                        foreach (var c in results[i][m])
                            text.AppendLine(string.Format(inv, "  {0,7:P1}  {1,-16} {2}", c.Score, c.Token, c.Sequence));
                    }
                    var bytes = System.Text.Encoding.UTF8.GetBytes(text.ToString());
                    stdout.Write(bytes);
                }
            }
        });
        return 0;
    }
}
