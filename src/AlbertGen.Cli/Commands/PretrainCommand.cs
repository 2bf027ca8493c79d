using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Tokenization;
using AlbertGen.Tasks.Pretraining;
using AlbertGen.Torch;
using AlbertGen.Torch.Training;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen pretrain</c>: ALBERT pretraining (MLM + SOP) on the TorchSharp backend. Starts from a fresh HF
/// initialisation (<c>--config</c>) or continues a model folder (<c>--model</c>); trains on one fixed pre-tokenized
/// batch (<c>--inputs</c>) or on text (<c>--corpus</c> with <c>--tokenizer</c>); writes an HF model folder to <c>--out</c>.
/// </summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "config.json to initialise a fresh model from (HF init: normal(0, initializer_range), LayerNorm 1/0, biases 0)" };
        var model = new Option<string?>("--model") { Description = "model folder (config.json + model.safetensors) to continue training" };
        var outDir = new Option<string>("--out") { Description = "output folder: an HF model folder (config.json, model.safetensors), metrics.jsonl, checkpoints", Required = true };
        var inputs = new Option<string?>("--inputs") { Description = "inputs.json (HF names incl. labels, sentence_order_label): the same batch every step" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer folder for --corpus (spiece.model or vocab.txt, + tokenizer_config.json)" };
        var corpus = new Option<string[]>("--corpus") { Description = "text files or folders of *.txt (each file a document; one paragraph per line)", AllowMultipleArgumentsPerToken = true };
        var steps = new Option<int>("--steps") { Description = "optimisation steps", DefaultValueFactory = _ => 1000 };
        var batchSize = new Option<int>("--batch-size") { Description = "sequences per step (--corpus)", DefaultValueFactory = _ => 8 };
        var maxSeq = new Option<int>("--max-seq-length") { Description = "tokens per sequence (--corpus)", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "peak learning rate", DefaultValueFactory = _ => 0.00176 };
        var optimizer = new Option<string>("--optimizer") { Description = "lamb | adamw | sgd", DefaultValueFactory = _ => "lamb" };
        var warmup = new Option<int>("--warmup") { Description = "linear warmup steps (then linear decay to 0)", DefaultValueFactory = _ => 0 };
        var maxGradNorm = new Option<double>("--max-grad-norm") { Description = "global-norm gradient clip (0 disables)", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<long>("--seed") { Description = "seed for initialisation and data", DefaultValueFactory = _ => 12345 };
        var device = new Option<string>("--device") { Description = "auto | cpu | cuda", DefaultValueFactory = _ => "auto" };
        var gradAccum = new Option<int>("--grad-accum") { Description = "micro-batches per step, gradients averaged (effective batch = batch size × N)", DefaultValueFactory = _ => 1 };
        var saveEvery = new Option<int>("--save-every") { Description = "write checkpoint-N/ every N steps (0: only the final model)", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "continue from the newest checkpoint-N/ under --out" };
        var precision = new Option<string>("--precision") { Description = "fp32 | bf16 (bfloat16 matmuls, float32 master weights: PyTorch's bf16 autocast; for CUDA)", DefaultValueFactory = _ => "fp32" };
        var cmd = new Command("pretrain", "Pretrain ALBERT (MLM + sentence order) on the TorchSharp backend; writes an HF model folder")
        {
            config, model, outDir, inputs, tokenizer, corpus, steps, batchSize, maxSeq, lr, optimizer, warmup, maxGradNorm, seed, device, saveEvery, resume, gradAccum, precision,
        };
        cmd.SetAction(r => CliErrors.Guard(() => Run(new Args(
            r.GetValue(config), r.GetValue(model), r.GetValue(outDir)!, r.GetValue(inputs), r.GetValue(tokenizer), r.GetValue(corpus) ?? [],
            r.GetValue(steps), r.GetValue(batchSize), r.GetValue(maxSeq), r.GetValue(lr), r.GetValue(optimizer)!, r.GetValue(warmup),
            r.GetValue(maxGradNorm), r.GetValue(seed), r.GetValue(device)!, r.GetValue(saveEvery), r.GetValue(resume), r.GetValue(gradAccum), r.GetValue(precision)!))));
        return cmd;
    }

    sealed record Args(string? Config, string? Model, string Out, string? Inputs, string? Tokenizer, string[] Corpus, int Steps, int BatchSize,
        int MaxSeqLength, double Lr, string Optimizer, int Warmup, double MaxGradNorm, long Seed, string Device, int SaveEvery, bool Resume, int GradAccum, string Precision);

    static int Run(Args a)
    {
        if ((a.Config is null) == (a.Model is null))
            throw new ArgumentException("give exactly one of --config (fresh model) and --model (continue training)");
        if ((a.Inputs is null) == (a.Corpus.Length == 0))
            throw new ArgumentException("give exactly one of --inputs (a fixed pre-tokenized batch) and --corpus (text)");
        if (a.Corpus.Length > 0 && a.Tokenizer is null)
            throw new ArgumentException("--corpus needs --tokenizer");
        if (a.BatchSize < 1 || a.MaxSeqLength < 8)
            throw new ArgumentException("--batch-size must be ≥ 1 and --max-seq-length ≥ 8");
        var kind = AlbertOptimizer.ParseKind(a.Optimizer);
        var computeType = TorchRuntime.ParsePrecision(a.Precision);
        if (!TorchRuntime.TryInitialize(out var reason))
        {
            Console.Error.WriteLine($"error: {reason}");
            return 1;
        }

        var load = Stopwatch.StartNew();
        using var backend = a.Config is not null
            ? TorchAlbertBackend.Create(AlbertConfig.Load(a.Config), AlbertHead.PreTraining, a.Seed, a.Device)
            : TorchAlbertBackend.Load(a.Model!, AlbertHead.PreTraining, a.Device);
        backend.ComputeType = computeType;
        var c = backend.Config;
        IPretrainingBatchSource source = a.Inputs is not null
            ? new FixedBatchSource(AlbertBatch.Load(a.Inputs))
            : CorpusSource(a, c);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pretrain: {(a.Config is not null ? "fresh init" : a.Model)} on {backend.Device.type.ToString().ToLowerInvariant()} ({(backend.ComputeType is null ? "fp32" : "bf16 autocast")}), {kind.ToString().ToLowerInvariant()} lr {a.Lr:G4}, {a.Steps} steps (ready in {load.Elapsed.TotalSeconds:F2} s)"));
        var trainer = new Pretrainer(backend, new PretrainOptions
        {
            Steps = a.Steps,
            LearningRate = a.Lr,
            Optimizer = kind,
            WarmupSteps = a.Warmup,
            MaxGradNorm = a.MaxGradNorm,
            SaveEvery = a.SaveEvery,
            GradientAccumulation = a.GradAccum,
            Resume = a.Resume,
            Log = Console.Out,
        });
        var metrics = trainer.Run(source, a.Out);
        if ((a.Tokenizer ?? a.Model) is { } tokenizerDir)
            AlbertTokenizer.CopyFiles(tokenizerDir, a.Out); // a complete HF model folder
        if (metrics.Count > 0)
        {
            var times = metrics.Select(m => m.StepMilliseconds).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {metrics.Count} steps, final loss {metrics[^1].Loss:F4}, median step {times[times.Count / 2]:F1} ms; wrote {Path.Combine(a.Out, "model.safetensors")}"));
        }
        else
        {
            Console.WriteLine($"done: no steps to run; wrote {Path.Combine(a.Out, "model.safetensors")}");
        }
        return 0;
    }

    /// <summary>ALBERT's create_pretraining_data over the corpus, streamed, with the model folder's tokenizer (spiece.model or vocab.txt).</summary>
    static IPretrainingBatchSource CorpusSource(Args a, AlbertConfig c)
    {
        var tok = AlbertTokenizer.FromModelDirectory(a.Tokenizer!);
        if (tok.VocabSize != c.VocabSize)
            throw new ArgumentException($"the tokenizer has {tok.VocabSize} pieces, the model's vocab_size is {c.VocabSize}");
        if (a.MaxSeqLength > c.MaxPositionEmbeddings)
            throw new ArgumentException($"--max-seq-length {a.MaxSeqLength} exceeds max_position_embeddings ({c.MaxPositionEmbeddings})");
        var options = new PretrainingDataOptions { MaxSeqLength = a.MaxSeqLength, Seed = (int)a.Seed };
        var source = new CorpusBatchSource(tok, a.Corpus, options, a.BatchSize);
        Console.WriteLine($"corpus: {a.Corpus.Length} path(s), streamed; ALBERT instances of up to {a.MaxSeqLength} tokens, fresh masks each epoch");
        return source;
    }
}
