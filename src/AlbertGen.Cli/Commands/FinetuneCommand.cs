using System.CommandLine;
using System.Globalization;
using AlbertGen.Torch;
using AlbertGen.Torch.Training;
using AlbertGen.Tokenization;
using AlbertGen.Config;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen finetune --task sequence-classification --model DIR --train train.tsv [--dev dev.tsv] --labels a,b --out DIR</c>:
/// HF-style fine-tuning of a classifier on GLUE-style TSV data (TorchSharp backend; JIT build only).
/// </summary>
internal static class FinetuneCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "sequence-classification (token classification, QA and multiple choice: not yet)", DefaultValueFactory = _ => "sequence-classification" };
        var model = new Option<string>("--model") { Description = "pretrained model folder (config.json, model.safetensors, spiece.model)", Required = true };
        var train = new Option<string>("--train") { Description = "training TSV (header with sentence and label, or CoLA layout)", Required = true };
        var dev = new Option<string?>("--dev") { Description = "evaluation TSV, scored after each epoch" };
        var labels = new Option<string>("--labels") { Description = "label names in id order, comma-separated", DefaultValueFactory = _ => "negative,positive" };
        var output = new Option<string>("--out") { Description = "output model folder", Required = true };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var maxLen = new Option<int>("--max-seq-length") { DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => 5e-5 };
        var maxExamples = new Option<int>("--max-examples") { Description = "use only the first N training examples (0: all)", DefaultValueFactory = _ => 0 };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 42 };
        var device = new Option<string>("--device") { Description = "auto | cpu | cuda", DefaultValueFactory = _ => "auto" };
        var cmd = new Command("finetune", "Fine-tune a pretrained model on a task (TorchSharp backend)")
        {
            task, model, train, dev, labels, output, epochs, batch, maxLen, lr, maxExamples, seed, device,
        };
        cmd.SetAction(r => CliErrors.Guard(() =>
        {
            if (r.GetValue(task) != "sequence-classification")
                throw new ArgumentException($"--task {r.GetValue(task)} is not supported yet (sequence-classification is)");
            if (!TorchRuntime.TryInitialize(out var reason))
            {
                Console.Error.WriteLine($"error: {reason}");
                return 1;
            }
            string dir = r.GetValue(model)!, outDir = r.GetValue(output)!;
            var names = r.GetValue(labels)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (names.Length < 2) throw new ArgumentException("--labels needs at least two names");
            var tokenizer = AlbertTokenizer.FromModelDirectory(dir);
            var config = SequenceClassificationFineTuner.ClassifierConfig(AlbertConfig.Load(dir), names);
            var trainData = TsvDataset.Read(r.GetValue(train)!, names.Length);
            var devData = r.GetValue(dev) is { } d ? TsvDataset.Read(d, names.Length) : null;
            using var backend = SequenceClassificationFineTuner.FromPretrained(dir, config, r.GetValue(seed), r.GetValue(device)!, Console.Out);
            var options = new FineTuneOptions
            {
                Epochs = r.GetValue(epochs), BatchSize = r.GetValue(batch), MaxSeqLength = r.GetValue(maxLen), LearningRate = r.GetValue(lr),
                MaxExamples = r.GetValue(maxExamples), Seed = r.GetValue(seed), Log = Console.Out,
            };
            var metrics = SequenceClassificationFineTuner.Train(backend, tokenizer, trainData, devData, options);
            backend.SavePretrained(outDir, new Dictionary<string, string> { ["trained_by"] = "albertgen finetune" });
            AlbertTokenizer.CopyFiles(dir, outDir);
            if (metrics.Count > 0)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dev accuracy {metrics[^1].Accuracy:F4} (macro-F1 {metrics[^1].MacroF1:F4}, MCC {metrics[^1].Matthews:F4})"));
            Console.WriteLine($"wrote {outDir}");
            return 0;
        }));
        return cmd;
    }
}
