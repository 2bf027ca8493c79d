using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen multiple-choice --prompt P --choice A --choice B [--json]</c>: a multiple-choice model's probability for
/// each choice (each encoded as the pair (prompt, choice)) and the best one.
/// </summary>
internal static class MultipleChoiceCommand
{
    public static Command Create()
    {
        var prompt = new Option<string>("--prompt") { Description = "the question or sentence start the choices complete", Required = true };
        var choices = new Option<string[]>("--choice") { Description = "a choice (repeat for each)", Required = true, AllowMultipleArgumentsPerToken = false };
        var model = new Option<string>("--model") { Description = "multiple-choice model folder (HF layout, with its tokenizer)", Required = true };
        var json = new Option<bool>("--json") { Description = "one JSON object: prompt, choices, scores, best, answer" };
        var cmd = new Command("multiple-choice", "Score the choices completing a prompt with a multiple-choice model") { prompt, choices, model, json };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(prompt)!, r.GetValue(choices) ?? [], r.GetValue(model)!, r.GetValue(json))));
        return cmd;
    }

    static int Run(string prompt, string[] choices, string model, bool json)
    {
        if (choices.Length == 0) throw new ArgumentException("give at least one --choice");
        using var pipelines = TextPipelines.Open(model, AlbertHead.MultipleChoice);
        var result = pipelines.MultipleChoice(prompt, choices);
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                w.WriteString("prompt", prompt);
                w.WriteStartArray("choices");
                foreach (var c in choices) w.WriteStringValue(c);
                w.WriteEndArray();
                w.WriteStartArray("scores");
                foreach (var s in result.Scores) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteNumber("best", result.Best);
                w.WriteString("answer", choices[result.Best]);
                w.WriteEndObject();
            }
            stdout.Write("\n"u8);
        }
        else
        {
            for (int c = 0; c < choices.Length; c++)
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} {1,7:P1}  {2}", c == result.Best ? '*' : ' ', result.Scores[c], choices[c]));
        }
        return 0;
    }
}
