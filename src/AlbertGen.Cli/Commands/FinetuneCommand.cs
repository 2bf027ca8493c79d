using System.CommandLine;
using System.Globalization;
using AlbertGen.Config;
using AlbertGen.Tokenization;
using AlbertGen.Torch;
using AlbertGen.Torch.Training;
using AlbertGen.Tasks.FineTuning;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen finetune --task T --model DIR --train FILE [--dev FILE] --out DIR</c>: HF-style fine-tuning for every
/// head (TorchSharp backend; JIT build only). sequence-classification: GLUE-style TSV (single-label, regression or
/// multi-label by <c>--problem-type</c>); token-classification: CoNLL; question-answering: SQuAD v1.1 / v2.0 JSON;
/// multiple-choice: JSON lines. Writes a full HF folder plus <c>eval_results.json</c>.
/// </summary>
internal static class FinetuneCommand
{
    static readonly string[] Tasks = ["sequence-classification", "token-classification", "question-answering", "multiple-choice"];

    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = string.Join(" | ", Tasks), DefaultValueFactory = _ => "sequence-classification" };
        var model = new Option<string>("--model") { Description = "pretrained model folder (config.json, model.safetensors, spiece.model)", Required = true };
        var train = new Option<string>("--train") { Description = "training data: TSV (sequence-classification), CoNLL (token-classification), SQuAD JSON (question-answering), JSON lines (multiple-choice)", Required = true };
        var dev = new Option<string?>("--dev") { Description = "evaluation data in the same format, scored after each epoch (else the training data is scored at the end)" };
        var labels = new Option<string?>("--labels") { Description = "label names in id order, comma-separated (sequence-classification: default negative,positive; token-classification: default the tags of the training file, sorted)" };
        var problemType = new Option<string>("--problem-type") { Description = "sequence-classification: single_label_classification | regression | multi_label_classification", DefaultValueFactory = _ => SequenceClassificationData.SingleLabel };
        var output = new Option<string>("--out") { Description = "output model folder", Required = true };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var maxLen = new Option<int?>("--max-seq-length") { Description = "default 384 for question-answering, else 64; at most max_position_embeddings" };
        var docStride = new Option<int>("--doc-stride") { Description = "question-answering: tokens shared by consecutive windows of a long context", DefaultValueFactory = _ => 128 };
        var maxAnswer = new Option<int>("--max-answer-length") { Description = "question-answering: longest answer in tokens at evaluation", DefaultValueFactory = _ => 30 };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => 5e-5 };
        var maxExamples = new Option<int>("--max-examples") { Description = "use only the first N training examples (0: all)", DefaultValueFactory = _ => 0 };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 42 };
        var device = new Option<string>("--device") { Description = "auto | cpu | cuda", DefaultValueFactory = _ => "auto" };
        var precision = new Option<string>("--precision") { Description = "fp32 | bf16 (bfloat16 matmuls, float32 master weights: PyTorch's bf16 autocast; for CUDA)", DefaultValueFactory = _ => "fp32" };
        var cmd = new Command("finetune", "Fine-tune a pretrained model on a task (TorchSharp backend)")
        {
            task, model, train, dev, labels, problemType, output, epochs, batch, maxLen, docStride, maxAnswer, lr, maxExamples, seed, device, precision,
        };
        cmd.SetAction(r => CliErrors.Guard(() =>
        {
            string taskName = r.GetValue(task)!;
            if (Array.IndexOf(Tasks, taskName) < 0)
                throw new ArgumentException($"--task {taskName} is not a fine-tuning task (known: {string.Join(", ", Tasks)})");
            var computeType = TorchRuntime.ParsePrecision(r.GetValue(precision));
            if (r.GetValue(batch) < 1 || r.GetValue(epochs) < 1)
                throw new ArgumentException("--batch-size and --epochs must be at least 1");
            string dir = r.GetValue(model)!, trainPath = r.GetValue(train)!;
            string? devPath = r.GetValue(dev);
            var pretrained = AlbertConfig.Load(dir);
            var tokenizer = AlbertTokenizer.FromModelDirectory(dir);
            int maxSeqLength = r.GetValue(maxLen) ?? (taskName == "question-answering" ? 384 : 64);
            if (maxSeqLength > pretrained.MaxPositionEmbeddings)
            {
                Console.WriteLine($"max_seq_length {maxSeqLength} is more than the model's max_position_embeddings: using {pretrained.MaxPositionEmbeddings}");
                maxSeqLength = pretrained.MaxPositionEmbeddings;
            }
            IReadOnlyList<string>? names = r.GetValue(labels)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var options = new FineTuneOptions
            {
                Epochs = r.GetValue(epochs), BatchSize = r.GetValue(batch), MaxSeqLength = maxSeqLength, LearningRate = r.GetValue(lr),
                MaxExamples = r.GetValue(maxExamples), Seed = r.GetValue(seed), Log = Console.Out,
            };
            var run = new Runner(dir, r.GetValue(output)!, r.GetValue(seed), r.GetValue(device)!, computeType, options);
            switch (taskName)
            {
                case "sequence-classification":
                {
                    string problem = r.GetValue(problemType)!;
                    IReadOnlyList<string> labelNames = problem switch
                    {
                        SequenceClassificationData.Regression => names ?? ["LABEL_0"],
                        SequenceClassificationData.MultiLabel => names ?? SequenceClassificationData.CollectLabelSet(trainPath),
                        SequenceClassificationData.SingleLabel => names ?? ["negative", "positive"],
                        _ => throw new ArgumentException($"--problem-type {problem} is not one of {SequenceClassificationData.SingleLabel}, {SequenceClassificationData.Regression}, {SequenceClassificationData.MultiLabel}"),
                    };
                    if (problem == SequenceClassificationData.SingleLabel && labelNames.Count < 2) throw new ArgumentException("--labels needs at least two names");
                    if (problem == SequenceClassificationData.Regression && labelNames.Count != 1) throw new ArgumentException("regression has one output: give one --labels name or none");
                    if (labelNames.Count == 0) throw new ArgumentException("no labels: give --labels");
                    var t = new SequenceClassificationTask(tokenizer, labelNames, problem, maxSeqLength);
                    return run.Run(t, SequenceClassificationData.Read(trainPath, labelNames, problem),
                        devPath is null ? null : SequenceClassificationData.Read(devPath, labelNames, problem));
                }
                case "token-classification":
                {
                    var trainData = ConllReader.Read(trainPath);
                    IReadOnlyList<string> tags = names ?? ConllReader.LabelList(trainData);
                    Console.WriteLine($"labels: {string.Join(",", tags)}");
                    var t = new TokenClassificationTask(tokenizer, tags, maxSeqLength);
                    return run.Run(t, trainData, devPath is null ? null : ConllReader.Read(devPath));
                }
                case "question-answering":
                {
                    var trainData = SquadReader.Read(trainPath);
                    var devData = devPath is null ? null : SquadReader.Read(devPath);
                    var t = new QuestionAnsweringTask(tokenizer, maxSeqLength, r.GetValue(docStride), (devData ?? trainData).Version2 || trainData.Version2, r.GetValue(maxAnswer));
                    return run.Run(t, trainData.Examples, devData?.Examples);
                }
                default:
                {
                    var t = new MultipleChoiceTask(tokenizer, maxSeqLength);
                    return run.Run(t, MultipleChoiceReader.Read(trainPath), devPath is null ? null : MultipleChoiceReader.Read(devPath));
                }
            }
        }));
        return cmd;
    }

    sealed class Runner(string pretrainedDir, string outDir, long seed, string device, TorchSharp.torch.ScalarType? computeType, FineTuneOptions options)
    {
        public int Run<TExample>(IFineTuningTask<TExample> task, IReadOnlyList<TExample> train, IReadOnlyList<TExample>? dev)
        {
            if (!TorchRuntime.TryInitialize(out var reason)) // after the data is read, so bad data is reported without libtorch
            {
                Console.Error.WriteLine($"error: {reason}");
                return 1;
            }
            var config = task.ModelConfig(AlbertConfig.Load(pretrainedDir));
            using var backend = FineTuner.FromPretrained(pretrainedDir, config, task.Head, seed, device, Console.Out);
            backend.ComputeType = computeType;
            var results = FineTuner.Train(backend, task, train, dev, options);
            string split = "dev";
            EvalResult final;
            if (results.Count > 0)
            {
                final = results[^1];
            }
            else
            {
                split = "train";
                var used = options.MaxExamples > 0 ? train.Take(options.MaxExamples).ToList() : train;
                final = task.Evaluate(backend, used, options.BatchSize);
            }
            backend.SavePretrained(outDir, new Dictionary<string, string> { ["trained_by"] = "albertgen finetune" });
            AlbertTokenizer.CopyFiles(pretrainedDir, outDir);
            final.WriteJson(outDir);
            foreach (var (name, value) in final.Metrics)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{split} {name} {value:F4}"));
            Console.WriteLine($"wrote {outDir} ({final.Examples} {split} examples scored)");
            return 0;
        }
    }
}
