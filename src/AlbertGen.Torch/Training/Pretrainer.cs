using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.IO;
using AlbertGen.Model;
using AlbertGen.Tasks.Pretraining;
using AlbertGen.Tasks.Training;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Training;

/// <summary>Trainer settings. Defaults follow ALBERT's recipe (LAMB, lr 0.00176, clip 1.0).</summary>
public sealed record PretrainOptions
{
    public int Steps { get; init; } = 1000;
    public double LearningRate { get; init; } = 0.00176;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Lamb;
    public AlbertOptimizerOptions OptimizerOptions { get; init; } = new();
    public int WarmupSteps { get; init; }
    /// <summary>Global-norm clip; 0 disables.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Write a checkpoint every N steps (0: only at the end).</summary>
    public int SaveEvery { get; init; }
    /// <summary>Micro-batches per optimisation step: their gradients are averaged (loss / N each) before the step.</summary>
    public int GradientAccumulation { get; init; } = 1;
    /// <summary>Continue from the newest checkpoint under the output folder, if any.</summary>
    public bool Resume { get; init; }
    /// <summary>Echo one line per step to this writer (null: quiet).</summary>
    public TextWriter? Log { get; init; }
}

/// <summary>One optimisation step's numbers (one JSON line of metrics.jsonl).</summary>
public sealed record StepMetrics(long Step, double Loss, double MlmLoss, double SopLoss, double LearningRate, double GradNorm, double StepMilliseconds);

/// <summary>
/// The pretraining loop: forward (train mode, ALBERT's SOP without dropout) → loss (MLM + SOP) → backward →
/// global-norm clip → optimiser step at the scheduled rate. Writes <c>metrics.jsonl</c>, checkpoints
/// (<c>checkpoint-N/</c>: HF model folder + optimizer.safetensors + trainer_state.json) and the final HF model folder.
/// </summary>
public sealed class Pretrainer
{
    public const string MetricsFile = "metrics.jsonl";
    public const string OptimizerFile = TrainingCheckpoints.OptimizerFile;
    public const string StateFile = TrainingCheckpoints.StateFile;

    readonly TorchAlbertBackend _backend;
    readonly PretrainOptions _options;

    public Pretrainer(TorchAlbertBackend backend, PretrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        if (backend.Head != AlbertHead.PreTraining)
            throw new ArgumentException($"pretraining needs the AlbertForPreTraining head, this model is {backend.Head.HfClassName()}");
        if (options.Steps < 0) throw new ArgumentException($"--steps must be ≥ 0, found {options.Steps}");
        if (options.WarmupSteps < 0) throw new ArgumentException($"--warmup must be ≥ 0, found {options.WarmupSteps}");
        if (options.GradientAccumulation < 1) throw new ArgumentException($"--grad-accum must be ≥ 1, found {options.GradientAccumulation}");
        if (!(options.LearningRate >= 0)) throw new ArgumentException($"--lr must be ≥ 0, found {options.LearningRate}");
        if (!(options.MaxGradNorm >= 0)) throw new ArgumentException($"--max-grad-norm must be ≥ 0 (0 disables), found {options.MaxGradNorm}");
        _backend = backend;
        _options = options;
    }

    /// <summary>The newest <c>checkpoint-N</c> folder under <paramref name="outDir"/> with a complete state, or null.</summary>
    public static string? LatestCheckpoint(string outDir) => TrainingCheckpoints.Latest(outDir);

    /// <summary>Runs the remaining steps and writes the final model to <paramref name="outDir"/>. Returns this run's metrics.</summary>
    public List<StepMetrics> Run(IPretrainingBatchSource source, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var model = _backend.Model;
        var parameters = TorchWeights.UniqueParameters(model);
        using var optimizer = AlbertOptimizer.Create(_options.Optimizer, parameters, _options.OptimizerOptions);
        var schedule = new LinearSchedule(_options.LearningRate, _options.WarmupSteps, _options.Steps);
        long start = 0;
        if (_options.Resume && LatestCheckpoint(outDir) is { } ckpt)
        {
            start = ReadState(ckpt);
            using (var c = AlbertCheckpoint.Open(model.Config, Path.Combine(ckpt, "model.safetensors"), AlbertHead.PreTraining))
            using (no_grad())
                TorchWeights.Load(model, c);
            optimizer.LoadState(Path.Combine(ckpt, OptimizerFile));
            _options.Log?.WriteLine($"resumed from {ckpt} at step {start}");
        }

        var metrics = new List<StepMetrics>();
        // a resumed run redoes the steps after its checkpoint: their lines (and a line torn by a kill) are dropped first
        if (start > 0)
            TruncateMetrics(Path.Combine(outDir, MetricsFile), start);
        using var metricsOut = new StreamWriter(Path.Combine(outDir, MetricsFile), append: start > 0, new UTF8Encoding(false));
        model.TrainForPretraining();
        try
        {
            for (long step = start; step < _options.Steps; step++)
            {
                var sw = Stopwatch.StartNew();
                double lr = schedule.At(step);
                double loss, mlm, sop, norm;
                long tokens;
                using (var scope = NewDisposeScope())
                {
                    optimizer.ZeroGrad();
                    int micro = _options.GradientAccumulation;
                    loss = mlm = sop = 0;
                    tokens = 0;
                    for (int k = 0; k < micro; k++)
                    {
                        // micro-batch k of step s is batch s·N + k of the source: resuming stays deterministic
                        var host = source.BatchFor(step * micro + k);
                        tokens += host.AttentionMask?.Sum() ?? host.InputIds.Length;
                        var batch = TorchBatch.From(host, _backend.Device);
                        var output = _backend.ForwardTensors(batch);
                        if (output.Loss is null)
                            throw new AlbertInputException("the batch produced no loss: pretraining needs 'labels' and 'sentence_order_label'");
                        (micro == 1 ? output.Loss : output.Loss / micro).backward();
                        loss += output.Loss.item<float>() / micro;
                        mlm += output.MlmLoss!.item<float>() / micro;
                        sop += output.SopLoss!.item<float>() / micro;
                    }
                    norm = GradientClipping.ClipByGlobalNorm(parameters.Select(p => p.Parameter), _options.MaxGradNorm);
                    optimizer.Step(lr);
                }
                var m = new StepMetrics(step + 1, loss, mlm, sop, lr, norm, sw.Elapsed.TotalMilliseconds);
                metrics.Add(m);
                metricsOut.WriteLine(ToJson(m));
                metricsOut.Flush();
                _options.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {m.Step}/{_options.Steps} {Bar(m.Step, _options.Steps)}  loss {m.Loss:F4} (mlm {m.MlmLoss:F4}, sop {m.SopLoss:F4})  lr {m.LearningRate:G4}  |g| {m.GradNorm:G4}  {m.StepMilliseconds:F1} ms  {tokens / (m.StepMilliseconds / 1000):F0} tok/s"));
                if (_options.SaveEvery > 0 && m.Step % _options.SaveEvery == 0 && m.Step < _options.Steps)
                    SaveCheckpoint(Path.Combine(outDir, "checkpoint-" + m.Step.ToString(CultureInfo.InvariantCulture)), optimizer, m.Step);
            }
        }
        finally
        {
            model.eval();
        }
        _backend.SavePretrained(outDir, new Dictionary<string, string> { ["trained_by"] = "albertgen pretrain" });
        WriteLossCurve(outDir);
        return metrics;
    }

    public const string LossCurveFile = "loss.png";

    /// <summary>loss.png from the whole metrics.jsonl (a resumed run's earlier steps included).</summary>
    static void WriteLossCurve(string outDir)
    {
        var mlm = new List<double>();
        var sop = new List<double>();
        foreach (var line in File.ReadLines(Path.Combine(outDir, MetricsFile)))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            mlm.Add(root.TryGetProperty("mlm_loss", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : double.NaN);
            sop.Add(root.TryGetProperty("sop_loss", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : double.NaN);
        }
        LossCurvePng.Write(Path.Combine(outDir, LossCurveFile), mlm, sop);
    }

    static string Bar(long step, long total) => TrainingCheckpoints.Bar(step, total);

    void SaveCheckpoint(string dir, AlbertOptimizer optimizer, long step) =>
        TrainingCheckpoints.Save(dir, _backend, optimizer, step, _options.Log);

    /// <summary>Keeps the complete lines of metrics.jsonl with step ≤ <paramref name="lastStep"/> (rewritten atomically).</summary>
    internal static void TruncateMetrics(string path, long lastStep) => TrainingCheckpoints.TruncateMetrics(path, lastStep);

    static long ReadState(string dir) => TrainingCheckpoints.ReadStep(dir);

    static string ToJson(StepMetrics m) => TrainingCheckpoints.MetricsLine(m.Step,
        ("loss", m.Loss), ("mlm_loss", m.MlmLoss), ("sop_loss", m.SopLoss), ("learning_rate", m.LearningRate),
        ("grad_norm", m.GradNorm), ("step_ms", m.StepMilliseconds));
}
