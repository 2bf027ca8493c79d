using System.CommandLine;
using System.Globalization;
using AlbertGen.Torch;
using AlbertGen.Torch.Distillation;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen albertize</c>: distils a BERT-shaped teacher (an HF ALBERT folder with embedding_size = hidden_size,
/// e.g. from <c>albertgen convert</c>) into an ALBERT with a factorised embedding (<c>--embedding-size</c>) and
/// shared layers (<c>--groups</c>) on the TorchSharp backend; writes an HF model folder with the teacher's tokenizer
/// and sentence-transformers files (docs/torch.md, D34).
/// </summary>
internal static class AlbertizeCommand
{
    public static Command Create()
    {
        var teacher = new Option<string>("--teacher") { Description = "teacher model folder: an ALBERT with embedding_size = hidden_size (a converted BERT), with its tokenizer", Required = true };
        var outDir = new Option<string>("--out") { Description = "output folder: the student as an HF model folder, metrics.jsonl, albertize_results.json, checkpoints", Required = true };
        var embeddingSize = new Option<int>("--embedding-size") { Description = "the student's embedding_size E (2 … hidden_size)", DefaultValueFactory = _ => 128 };
        var groups = new Option<int>("--groups") { Description = "the student's num_hidden_groups G (divides num_hidden_layers)", DefaultValueFactory = _ => 1 };
        var groupInit = new Option<string>("--group-init") { Description = "a group starts from the teacher layers it replaces: first | middle | last | average", DefaultValueFactory = _ => "average" };
        groupInit.AcceptOnlyFromAmong("first", "middle", "last", "average");
        var corpus = new Option<string[]>("--corpus") { Description = "text files or folders (*.txt split into sentences; SST-2/CoLA .tsv: their sentences)", AllowMultipleArgumentsPerToken = true };
        var maxSteps = new Option<int>("--max-steps") { Description = "optimisation steps", DefaultValueFactory = _ => 1000 };
        var batchSize = new Option<int>("--batch-size") { Description = "sentences per step", DefaultValueFactory = _ => 64 };
        var maxSeq = new Option<int>("--max-seq-length") { Description = "tokens per sentence (longer ones truncated)", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "peak learning rate (AdamW)", DefaultValueFactory = _ => 2e-4 };
        var warmup = new Option<int>("--warmup") { Description = "linear warmup steps (then linear decay to 0)", DefaultValueFactory = _ => 20 };
        var maxGradNorm = new Option<double>("--max-grad-norm") { Description = "global-norm gradient clip (0 disables)", DefaultValueFactory = _ => 1.0 };
        var cosineWeight = new Option<double>("--cosine-weight") { Description = "weight of 1 − cos(mean-pooled student, teacher) beside the hidden-state MSE", DefaultValueFactory = _ => 1.0 };
        var devSentences = new Option<int>("--dev-sentences") { Description = "the corpus's first N sentences, held out to measure the student against the teacher", DefaultValueFactory = _ => 256 };
        var saveEvery = new Option<int>("--save-every") { Description = "write checkpoint-N/ every N steps (0: only the final model)", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "continue from the newest checkpoint-N/ under --out" };
        var seed = new Option<long>("--seed") { Description = "seed for the data order", DefaultValueFactory = _ => 12345 };
        var pairs = new Option<string>("--pairs") { Description = "sentence pairs with gold similarity (STS benchmark TSV: genre filename year index score sentence1 sentence2): each step also distils on B pairs and adds the CoSENT pair loss (D40)" };
        var pairsDev = new Option<string>("--pairs-dev") { Description = "held-out pairs (same layout, e.g. STS-B dev): Spearman measured every --eval-every steps; --out keeps the best step's model" };
        var pairWeight = new Option<double>("--pair-weight") { Description = "weight of the CoSENT pair loss beside the distillation losses", DefaultValueFactory = _ => 1.0 };
        var evalEvery = new Option<int>("--eval-every") { Description = "steps between measurements on --pairs-dev", DefaultValueFactory = _ => 100 };
        var studentDir = new Option<string>("--student") { Description = "start from this student folder (e.g. an earlier albertize output) instead of initialising one from the teacher" };
        var device = new Option<string>("--device") { Description = "auto | cpu | cuda", DefaultValueFactory = _ => "auto" };
        var cmd = new Command("albertize", "Distil a BERT-shaped teacher into a smaller ALBERT (factorised embedding, shared layers) on the TorchSharp backend")
        {
            teacher, outDir, embeddingSize, groups, groupInit, corpus, maxSteps, batchSize, maxSeq, lr, warmup, maxGradNorm, cosineWeight, devSentences, pairs, pairsDev, pairWeight, evalEvery, studentDir, saveEvery, resume, seed, device,
        };
        cmd.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(teacher)!, r.GetValue(outDir)!, r.GetValue(corpus) ?? [], r.GetValue(device)!, new DistillOptions
        {
            EmbeddingSize = r.GetValue(embeddingSize),
            Groups = r.GetValue(groups),
            GroupInit = Enum.Parse<GroupInit>(r.GetValue(groupInit)!, ignoreCase: true),
            MaxSteps = r.GetValue(maxSteps),
            BatchSize = r.GetValue(batchSize),
            MaxSeqLength = r.GetValue(maxSeq),
            LearningRate = r.GetValue(lr),
            WarmupSteps = r.GetValue(warmup),
            MaxGradNorm = r.GetValue(maxGradNorm),
            CosineWeight = r.GetValue(cosineWeight),
            DevSentences = r.GetValue(devSentences),
            PairsFile = r.GetValue(pairs),
            PairsDevFile = r.GetValue(pairsDev),
            PairWeight = r.GetValue(pairWeight),
            EvalEvery = r.GetValue(evalEvery),
            StudentDir = r.GetValue(studentDir),
            SaveEvery = r.GetValue(saveEvery),
            Resume = r.GetValue(resume),
            Seed = r.GetValue(seed),
            Log = Console.Out,
        })));
        return cmd;
    }

    static int Run(string teacherDir, string outDir, string[] corpus, string device, DistillOptions options)
    {
        Distiller.CheckOptions(options);
        if (corpus.Length == 0 && options.PairsFile is null)
            throw new ArgumentException("albertize needs --corpus (text files or folders of *.txt, or SST-2/CoLA .tsv files) or --pairs");
        if (!TorchRuntime.TryInitialize(out var reason))
        {
            Console.Error.WriteLine($"error: {reason}");
            return 1;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"albertize: {teacherDir} → E {options.EmbeddingSize}, {options.Groups} group(s); adamw lr {options.LearningRate:G4}, {options.MaxSteps} steps of {options.BatchSize} {(corpus.Length > 0 ? "sentences" : "")}{(corpus.Length > 0 && options.PairsFile is not null ? " + " : "")}{(options.PairsFile is not null ? "pairs" : "")}"));
        var result = Distiller.Albertize(teacherDir, corpus, outDir, options, device);
        var times = result.Steps.Select(m => m.StepMilliseconds).Order().ToList();
        var inv = CultureInfo.InvariantCulture;
        string median = times.Count > 0 ? string.Create(inv, $" (median {times[times.Count / 2]:F0} ms)") : "";
        string before = result.Initial is { } i ? string.Create(inv, $"{i.Cosine:F4} → ") : "";
        string heldOut = result.Final.Sentences > 0 ? string.Create(inv, $", held-out cosine to the teacher {before}{result.Final.Cosine:F4}") : "";
        string best = result.Best is { } b ? string.Create(inv, $", best dev pairs Spearman × 100 {b.Spearman:F2} at step {b.Step}") : "";
        Console.WriteLine(string.Create(inv,
            $"done: {result.Steps.Count} steps{median}{heldOut}{best}; wrote {Path.Combine(outDir, "model.safetensors")}"));
        return 0;
    }
}
