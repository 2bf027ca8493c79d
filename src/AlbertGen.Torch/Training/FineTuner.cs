using System.Diagnostics;
using System.Globalization;
using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Tasks.FineTuning;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Training;

/// <summary>
/// The fine-tuning loop every task shares, as HF's Trainer runs it: AdamW with LayerNorm/bias excluded from decay,
/// linear warmup then decay, global-norm gradient clipping, a reshuffle each epoch, dropout on while training, and an
/// evaluation (eval mode) after each epoch when there is a dev split.
/// </summary>
public static class FineTuner
{
    /// <summary>
    /// HF <c>from_pretrained</c> for a task head: the weights of <paramref name="pretrainedDir"/> where names (with or
    /// without the <c>albert.</c> prefix) and shapes match, the rest HF-initialised; the fresh names are logged.
    /// </summary>
    public static TorchAlbertBackend FromPretrained(string pretrainedDir, AlbertConfig config, AlbertHead head, long seed, string device, TextWriter? log)
    {
        var backend = TorchAlbertBackend.Create(config, head, seed, device);
        using var file = CheckpointFiles.Open(CheckpointFiles.Find(pretrainedDir)); // model.safetensors or pytorch_model.bin
        int copied = 0;
        var fresh = new List<string>();
        using (no_grad())
        {
            foreach (var (name, p) in backend.Model.named_parameters())
            {
                string? found = file.Contains(name) ? name
                    : name.StartsWith(AlbertWeightNames.BasePrefix, StringComparison.Ordinal) && file.Contains(name[AlbertWeightNames.BasePrefix.Length..]) ? name[AlbertWeightNames.BasePrefix.Length..]
                    : null;
                if (found is null || !file.GetEntry(found).Shape.Select(x => (long)x).SequenceEqual(p.shape))
                {
                    fresh.Add(name);
                    continue;
                }
                using var src = tensor(file.ReadFloat32Array(found), p.shape).to(p.device);
                p.copy_(src);
                copied++;
            }
        }
        log?.WriteLine($"from {pretrainedDir}: {copied} tensors loaded, newly initialised: {string.Join(", ", fresh)}");
        return backend;
    }

    /// <summary>Trains in place; returns the dev metrics after each epoch (empty without a dev split).</summary>
    public static List<EvalResult> Train<TExample>(TorchAlbertBackend backend, IFineTuningTask<TExample> task, IReadOnlyList<TExample> train,
        IReadOnlyList<TExample>? dev, FineTuneOptions o)
    {
        if (o.MaxExamples > 0 && train.Count > o.MaxExamples)
            train = train.Take(o.MaxExamples).ToList();
        var features = task.Prepare(train);
        if (features.Count == 0) throw new AlbertInputException("no training examples");
        var model = backend.Model;
        var parameters = TorchWeights.UniqueParameters(model);
        using var optimizer = AlbertOptimizer.Create(OptimizerKind.AdamW, parameters);
        long stepsPerEpoch = (features.Count + o.BatchSize - 1) / o.BatchSize, total = stepsPerEpoch * o.Epochs;
        var schedule = new LinearSchedule(o.LearningRate, (int)(total * o.WarmupFraction), (int)total);
        var rng = new Random((int)o.Seed);
        var results = new List<EvalResult>();
        long step = 0;
        var sw = Stopwatch.StartNew();
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            var order = Enumerable.Range(0, features.Count).ToArray();
            rng.Shuffle(order);
            model.train();
            double running = 0;
            for (int b = 0; b < order.Length; b += o.BatchSize, step++)
            {
                var batch = features.Batch(order.AsSpan(b, Math.Min(o.BatchSize, order.Length - b)).ToArray());
                float loss;
                using (NewDisposeScope())
                {
                    optimizer.ZeroGrad();
                    using var tb = TorchBatch.From(batch, backend.Device);
                    var output = backend.ForwardTensors(tb);
                    output.Loss!.backward();
                    GradientClipping.ClipByGlobalNorm(parameters.Select(p => p.Parameter), o.MaxGradNorm);
                    optimizer.Step(schedule.At(step));
                    loss = output.Loss.item<float>();
                }
                running = 0.98 * running + 0.02 * loss;
                o.OnStep?.Invoke(step, loss);
                if (o.Log is not null && (step + 1) % o.LogEvery == 0)
                    o.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1} step {step + 1}/{total}  loss~{running / (1 - Math.Pow(0.98, step + 1)):F4}  {sw.Elapsed.TotalSeconds:F0} s"));
            }
            model.eval();
            if (dev is not null)
            {
                var m = task.Evaluate(backend, dev, o.BatchSize);
                results.Add(m);
                o.Log?.WriteLine($"epoch {epoch + 1}: dev {m}");
            }
        }
        model.eval();
        return results;
    }
}
