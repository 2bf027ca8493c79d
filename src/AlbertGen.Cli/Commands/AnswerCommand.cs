using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Tasks.Pipelines;

namespace AlbertGen.Cli.Commands;

/// <summary><c>albertgen answer --question Q --context C --model DIR [--json]</c>: the extractive answer span with its character offsets.</summary>
internal static class AnswerCommand
{
    public const string DefaultModel = "albert-default-qa";

    public static Command Create()
    {
        var question = new Option<string>("--question") { Description = "the question", Required = true };
        var context = new Option<string>("--context") { Description = "the passage holding the answer", Required = true };
        var model = new Option<string?>("--model") { Description = $"question-answering model folder (default: the embedded {DefaultModel}, when installed)" };
        var maxAnswer = new Option<int>("--max-answer-tokens") { Description = "longest answer span", DefaultValueFactory = _ => 15 };
        var json = new Option<bool>("--json") { Description = "one JSON object: answer, start, end, score" };
        var cmd = new Command("answer", "Extractive question answering") { question, context, model, maxAnswer, json };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(question)!, r.GetValue(context)!, r.GetValue(model), r.GetValue(maxAnswer), r.GetValue(json))));
        return cmd;
    }

    static int Run(string question, string context, string? model, int maxAnswer, bool json)
    {
        if (maxAnswer < 1) throw new ArgumentException("--max-answer-tokens must be ≥ 1");
        string dir = TaskInputs.ModelDirectory(model, DefaultModel);
        using var pipelines = TextPipelines.Open(dir, AlbertHead.QuestionAnswering);
        var a = pipelines.Answer(question, context, maxAnswer);
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                w.WriteString("answer", a.Text);
                w.WriteNumber("start", a.Start);
                w.WriteNumber("end", a.End);
                w.WriteNumber("score", a.Score);
                w.WriteEndObject();
            }
            stdout.Write("\n"u8);
        }
        else
        {
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0}  (chars {1}–{2}, score {3:F3})", a.Text, a.Start, a.End, a.Score));
        }
        return 0;
    }
}
