using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Torch;

namespace AlbertGen.Cli.Tests;

/// <summary>Skipped, with the loader's reason, where libtorch cannot be loaded.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public TorchFactAttribute()
    {
        if (!TorchRuntime.TryInitialize(out var reason))
            Skip = reason ?? "libtorch could not be loaded";
    }
}

/// <summary>Theory form of <see cref="TorchFactAttribute"/>.</summary>
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    public TorchTheoryAttribute()
    {
        if (!TorchRuntime.TryInitialize(out var reason))
            Skip = reason ?? "libtorch could not be loaded";
    }
}

public sealed class PretrainCommandTests : IDisposable
{
    readonly string _tmp = Path.Combine(Path.GetTempPath(), "albertgen-pretrain-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_tmp, recursive: true); } catch (IOException) { }
    }

    static float[] Read(SafeTensorsFile f, string name)
    {
        var e = f.GetEntry(name);
        var a = new float[e.ElementCount];
        f.ReadAsFloat32(e, a);
        return a;
    }

    /// <summary>With N micro-batches (here the same batch N times) the averaged gradient equals the batch's gradient.</summary>
    [TorchTheory]
    [InlineData(1)]
    [InlineData(3)]
    public void One_sgd_step_with_lr_1_is_weights_minus_hf_gradient(int gradAccum)
    {
        string tiny = Cli.Fixture("tiny");
        string outDir = Path.Combine(_tmp, "out");
        var r = Cli.Run("pretrain", "--model", tiny, "--inputs", Path.Combine(tiny, "inputs.json"), "--optimizer", "sgd", "--lr", "1", "--steps", "1",
            "--warmup", "0", "--max-grad-norm", "0", "--device", "cpu", "--grad-accum", gradAccum.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);

        using var before = SafeTensorsFile.Open(Path.Combine(tiny, "model.safetensors"));
        using var after = SafeTensorsFile.Open(Path.Combine(outDir, "model.safetensors"));
        using var expected = SafeTensorsFile.Open(Path.Combine(tiny, "expected.safetensors"));
        var grads = expected.Tensors.Where(t => t.Name.StartsWith("grad.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(grads);
        foreach (var g in grads)
        {
            string name = g.Name["grad.".Length..];
            var w0 = Read(before, name);
            var grad = Read(expected, g.Name);
            var want = w0.Select((w, i) => w - grad[i]).ToArray();
            var got = Read(after, name);
            double diff = 0, norm = 0;
            for (int i = 0; i < want.Length; i++)
            {
                diff += Math.Pow((double)got[i] - want[i], 2);
                norm += Math.Pow((double)want[i] - w0[i], 2); // relative to the size of the update
            }
            double rel = Math.Sqrt(diff / norm);
            Assert.True(rel <= 1e-4, $"{name}: relative error of the update {rel:E3}");
        }
        // a complete HF folder: AlbertForPreTraining config, tied decoder omitted, loadable by the CPU engine
        var config = AlbertConfig.Load(outDir);
        Assert.Equal(["AlbertForPreTraining"], config.Architectures);
        Assert.False(after.Contains("predictions.decoder.weight"));
        Assert.False(after.Contains("predictions.decoder.bias"));
        using var cpu = CpuAlbertModel.Load(outDir, threads: 1);
        var loss = cpu.Forward(AlbertBatch.Load(Path.Combine(tiny, "inputs.json"))).Loss!.Data[0];
        using var expectedLoss = SafeTensorsFile.Open(Path.Combine(tiny, "expected.safetensors"));
        Assert.True(loss < Read(expectedLoss, "loss")[0], "one step of gradient descent should lower the loss on its own batch");
        var metrics = File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl"));
        Assert.Single(metrics);
        using var doc = JsonDocument.Parse(metrics[0]);
        Assert.Equal(1, doc.RootElement.GetProperty("step").GetInt32());
        Assert.Equal(1.0, doc.RootElement.GetProperty("learning_rate").GetDouble());
    }

    [TorchFact]
    public void Fresh_config_lamb_run_writes_a_loadable_model_and_loss_falls()
    {
        string tiny = Cli.Fixture("tiny");
        string outDir = Path.Combine(_tmp, "fresh");
        var r = Cli.Run("pretrain", "--config", Path.Combine(tiny, "config.json"), "--inputs", Path.Combine(tiny, "inputs.json"),
            "--steps", "12", "--lr", "0.01", "--warmup", "2", "--device", "cpu", "--seed", "7", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var losses = File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToList();
        Assert.Equal(12, losses.Count);
        Assert.True(losses[^1] < losses[0], $"loss did not fall: {string.Join(", ", losses)}");
        using var cpu = CpuAlbertModel.Load(outDir, threads: 1);
        Assert.Equal(AlbertHead.PreTraining, cpu.Head);
    }

    /// <summary>A small corpus of made-up words, tokenized by the pipeline-mlm fixture's real SentencePiece model (vocab 1000).</summary>
    (string Tokenizer, string Corpus) MakeCorpus()
    {
        var rng = new Random(3);
        var lines = new List<string>();
        for (int d = 0; d < 12; d++)
        {
            for (int s = 0; s < 6; s++)
                lines.Add(string.Join(' ', Enumerable.Range(0, rng.Next(3, 9)).Select(_ => rng.Next(3) == 0 ? $"w{rng.Next(47)}s{rng.Next(47)}" : $"w{rng.Next(47)}")) + ".");
            lines.Add("");
        }
        Directory.CreateDirectory(_tmp);
        string corpus = Path.Combine(_tmp, "corpus.txt");
        File.WriteAllLines(corpus, lines);
        return (Cli.Fixture("pipeline-mlm"), corpus);
    }

    static string[] CorpusArgs(string tok, string corpus, string outDir, int steps, params string[] more) =>
        [.. new[] { "pretrain", "--config", Path.Combine(tok, "config.json"), "--corpus", corpus, "--tokenizer", tok,
            "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch-size", "4", "--max-seq-length", "24",
            "--lr", "0.005", "--device", "cpu", "--seed", "3", "--out", outDir }, .. more];

    [TorchFact]
    public void Corpus_run_resumed_from_a_checkpoint_ends_where_an_uninterrupted_run_does()
    {
        var (tok, corpus) = MakeCorpus();
        string straight = Path.Combine(_tmp, "straight"), interrupted = Path.Combine(_tmp, "interrupted"), resumed = Path.Combine(_tmp, "resumed");
        var r = Cli.Run(CorpusArgs(tok, corpus, straight, 4));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("corpus:", r.Stdout);
        Assert.True(File.Exists(Path.Combine(straight, "spiece.model")), "the output is a complete model folder (tokenizer included)");
        Assert.True(File.Exists(Path.Combine(straight, "loss.png")), "the loss curve is drawn");
        r = Cli.Run(CorpusArgs(tok, corpus, interrupted, 4, "--save-every", "2"));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        string ckpt = Path.Combine(interrupted, "checkpoint-2");
        Assert.True(File.Exists(Path.Combine(ckpt, "optimizer.safetensors")));
        // a fresh output folder holding only the step-2 checkpoint, continued to step 4
        Directory.CreateDirectory(resumed);
        CopyDir(ckpt, Path.Combine(resumed, "checkpoint-2"));
        r = Cli.Run(CorpusArgs(tok, corpus, resumed, 4, "--resume"));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("resumed from", r.Stdout);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(resumed, "metrics.jsonl")).Length);

        using var a = SafeTensorsFile.Open(Path.Combine(straight, "model.safetensors"));
        using var b = SafeTensorsFile.Open(Path.Combine(resumed, "model.safetensors"));
        foreach (var e in a.Tensors)
        {
            var x = Read(a, e.Name);
            var y = Read(b, e.Name);
            double diff = 0, norm = 0;
            for (int i = 0; i < x.Length; i++) { diff += Math.Pow((double)x[i] - y[i], 2); norm += (double)x[i] * x[i]; }
            Assert.True(Math.Sqrt(diff / Math.Max(norm, 1e-30)) <= 1e-6, $"{e.Name} differs after resume");
        }
    }

    [TorchFact]
    public void Resume_in_place_keeps_one_metrics_line_per_step_and_deletes_orphan_temp_files()
    {
        var (tok, corpus) = MakeCorpus();
        string dir = Path.Combine(_tmp, "in-place");
        var r = Cli.Run(CorpusArgs(tok, corpus, dir, 4, "--save-every", "2"));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        // what a kill -9 inside a checkpoint write leaves: a temp file of a dead process, and a torn metrics line
        string orphan = Path.Combine(dir, "checkpoint-2", ".model.safetensors.4194305.0123abcd.tmp");
        File.WriteAllText(orphan, "torn");
        string metrics = Path.Combine(dir, "metrics.jsonl");
        File.AppendAllText(metrics, "{\"step\": 5, \"lo");
        // resumes from checkpoint-2 (steps 3 and 4 are redone), checkpoints again at step 4
        r = Cli.Run(CorpusArgs(tok, corpus, dir, 6, "--save-every", "2", "--resume"));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("resumed from", r.Stdout);
        long[] steps = File.ReadAllLines(metrics).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()).ToArray();
        Assert.Equal([1L, 2, 3, 4, 5, 6], steps);
        Assert.False(File.Exists(orphan), "the orphan temp file is deleted at the next checkpoint");
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
    }

    static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }

    [Fact]
    public void Pretrain_rejects_both_or_neither_of_config_and_model()
    {
        string tiny = Cli.Fixture("tiny");
        var r = Cli.Run("pretrain", "--inputs", Path.Combine(tiny, "inputs.json"), "--out", Path.Combine(_tmp, "x"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--config", r.Stderr);
        r = Cli.Run("pretrain", "--model", tiny, "--config", Path.Combine(tiny, "config.json"), "--inputs", Path.Combine(tiny, "inputs.json"), "--out", Path.Combine(_tmp, "x"));
        Assert.Equal(2, r.ExitCode);
    }

    [TorchFact]
    public void Eval_reports_mlm_and_sop_metrics_of_a_pretraining_model()
    {
        var (tok, corpus) = MakeCorpus();
        string model = Path.Combine(_tmp, "fresh");
        var r = Cli.Run(CorpusArgs(tok, corpus, model, 0));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var e = Cli.Run("eval", "--model", model, "--tokenizer", tok, "--corpus", corpus, "--batches", "3", "--batch-size", "4", "--max-seq-length", "24", "--json");
        Assert.True(e.ExitCode == 0, e.Stdout + e.Stderr);
        using var doc = JsonDocument.Parse(e.Stdout.Trim().Split('\n')[^1]);
        var m = doc.RootElement;
        Assert.True(m.GetProperty("masked_tokens").GetInt64() > 0);
        Assert.Equal(12, m.GetProperty("pairs").GetInt32());
        Assert.InRange(m.GetProperty("mlm_accuracy").GetDouble(), 0, 1);
        // a freshly initialised model (this config's initializer_range is 0.5: confident, wrong logits) is far from good
        double loss = m.GetProperty("mlm_loss").GetDouble();
        Assert.True(double.IsFinite(loss) && loss > 3, $"mlm_loss {loss}");
        Assert.InRange(m.GetProperty("sop_accuracy").GetDouble(), 0, 1);
        var wrongHead = Cli.Run("eval", "--model", Cli.Fixture("pipeline-mlm"), "--corpus", corpus, "--batches", "1");
        Assert.Equal(2, wrongHead.ExitCode);
    }

    [TorchFact]
    public void Bf16_precision_trains_and_writes_float32_weights()
    {
        string tiny = Cli.Fixture("tiny");
        string outDir = Path.Combine(_tmp, "bf16");
        var r = Cli.Run("pretrain", "--config", Path.Combine(tiny, "config.json"), "--inputs", Path.Combine(tiny, "inputs.json"),
            "--steps", "8", "--lr", "0.01", "--device", "cpu", "--precision", "bf16", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("bf16 autocast", r.Stdout);
        var losses = File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToList();
        Assert.True(losses[^1] < losses[0], $"loss did not fall: {string.Join(", ", losses)}");
        using var file = SafeTensorsFile.Open(Path.Combine(outDir, "model.safetensors"));
        Assert.All(file.Tensors, e => Assert.Equal(SafeTensorsDType.F32, e.DType));
    }

    [Fact]
    public void Unknown_precision_exits_2_naming_the_choices()
    {
        string tiny = Cli.Fixture("tiny");
        var r = Cli.Run("pretrain", "--config", Path.Combine(tiny, "config.json"), "--inputs", Path.Combine(tiny, "inputs.json"),
            "--steps", "1", "--device", "cpu", "--precision", "fp16", "--out", Path.Combine(_tmp, "fp16"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("bf16", r.Stderr);
    }
}
