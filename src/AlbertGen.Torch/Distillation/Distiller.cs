using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AlbertGen.Config;
using AlbertGen.IO;
using AlbertGen.Model;
using AlbertGen.Tasks;
using AlbertGen.Tasks.Distillation;
using AlbertGen.Tasks.Evaluation;
using AlbertGen.Tokenization;
using AlbertGen.Torch.Training;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Distillation;

/// <summary>What <see cref="Distiller.Albertize"/> did: the student's quality on the held-out sentences before and after, and this run's steps.</summary>
public sealed record DistillResult(DistillEvaluation? Initial, DistillEvaluation Final, double EmbeddingEnergyKept, long StartStep, List<DistillStepMetrics> Steps)
{
    /// <summary>Dev-pair measurements of this run (empty without <see cref="DistillOptions.PairsDevFile"/>).</summary>
    public List<PairEvaluation> DevEvaluations { get; init; } = [];
    /// <summary>The measurement whose model the output folder holds (null without dev pairs).</summary>
    public PairEvaluation? Best { get; init; }
}

/// <summary>
/// <c>albertgen albertize</c>: a BERT-shaped teacher distilled into an ALBERT with a factorised embedding (E) and G
/// shared groups. The student starts from the teacher (<see cref="StudentInit"/>), then learns to reproduce the
/// teacher's hidden states on corpus sentences: loss = mean over the L + 1 hidden states of the MSE over attended
/// tokens + w·(1 − cos) of the mean-pooled last states. AdamW (no decay for LayerNorm and biases), linear warmup then
/// decay, global-norm clip; dropout off in both models, so a step is deterministic and a resumed run equals an
/// uninterrupted one. Checkpoints, metrics.jsonl and resuming as <c>pretrain</c> (<see cref="TrainingCheckpoints"/>).
/// </summary>
public sealed class Distiller
{
    public const string MetricsFile = "metrics.jsonl";
    public const string ResultsFile = "albertize_results.json";
    /// <summary>One line per dev-pair measurement: step, dev_spearman (×100), pairs.</summary>
    public const string DevMetricsFile = "dev_metrics.jsonl";

    readonly TeacherModel _teacher;
    readonly TorchAlbertBackend _student;
    readonly DistillOptions _options;
    readonly AlbertTokenizer _tokenizer;

    /// <param name="tokenizer">the teacher's tokenizer (held-out sentences and dev pairs are encoded with it)</param>
    public Distiller(TeacherModel teacher, TorchAlbertBackend student, DistillOptions options, AlbertTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(options);
        CheckOptions(options);
        if (student.Head != AlbertHead.Base)
            throw new ArgumentException($"the student must be an AlbertModel, this one is {student.Head.HfClassName()}");
        if (student.Config.HiddenSize != teacher.Config.HiddenSize || student.Config.NumHiddenLayers != teacher.Config.NumHiddenLayers)
            throw new ArgumentException($"student (hidden_size {student.Config.HiddenSize}, {student.Config.NumHiddenLayers} layers) and teacher (hidden_size {teacher.Config.HiddenSize}, {teacher.Config.NumHiddenLayers} layers) differ");
        _teacher = teacher;
        _student = student;
        _options = options;
        _tokenizer = tokenizer;
    }

    /// <summary>Refuses settings that cannot run, naming the option.</summary>
    public static void CheckOptions(DistillOptions o)
    {
        if (o.MaxSteps < 0) throw new ArgumentException($"--max-steps must be ≥ 0, found {o.MaxSteps}");
        if (o.BatchSize < 1) throw new ArgumentException($"--batch-size must be ≥ 1, found {o.BatchSize}");
        if (o.MaxSeqLength < 4) throw new ArgumentException($"--max-seq-length must be ≥ 4, found {o.MaxSeqLength}");
        if (o.WarmupSteps < 0) throw new ArgumentException($"--warmup must be ≥ 0, found {o.WarmupSteps}");
        if (o.SaveEvery < 0) throw new ArgumentException($"--save-every must be ≥ 0, found {o.SaveEvery}");
        if (o.DevSentences < 0) throw new ArgumentException($"--dev-sentences must be ≥ 0, found {o.DevSentences}");
        if (!(o.LearningRate >= 0) || double.IsInfinity(o.LearningRate)) throw new ArgumentException($"--lr must be a number ≥ 0, found {o.LearningRate}");
        if (!(o.MaxGradNorm >= 0)) throw new ArgumentException($"--max-grad-norm must be ≥ 0 (0 disables), found {o.MaxGradNorm}");
        if (!(o.CosineWeight >= 0) || double.IsInfinity(o.CosineWeight)) throw new ArgumentException($"--cosine-weight must be a number ≥ 0, found {o.CosineWeight}");
        if (!(o.PairWeight >= 0) || double.IsInfinity(o.PairWeight)) throw new ArgumentException($"--pair-weight must be a number ≥ 0, found {o.PairWeight}");
        if (o.EvalEvery < 1) throw new ArgumentException($"--eval-every must be ≥ 1, found {o.EvalEvery}");
        if (o.PairsDevFile is not null && o.PairsFile is null) throw new ArgumentException("--pairs-dev needs --pairs (dev pairs choose among the steps of a pair-trained run)");
    }

    /// <summary>
    /// The whole verb: loads the teacher, makes (or, with <see cref="DistillOptions.Resume"/>, reloads) the student,
    /// distils it on <paramref name="corpus"/> and writes the HF folder to <paramref name="outDir"/> with the teacher's
    /// tokenizer and sentence-transformers files.
    /// </summary>
    public static DistillResult Albertize(string teacherDir, IReadOnlyList<string> corpus, string outDir, DistillOptions options, string device = "auto")
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckOptions(options);
        if (corpus.Count == 0 && options.PairsFile is null) throw new ArgumentException("albertize needs --corpus (text files or folders of *.txt, or SST-2/CoLA .tsv files) or --pairs");
        if (!Directory.Exists(teacherDir)) throw new DirectoryNotFoundException($"--teacher: folder not found: {teacherDir}");
        var teacherConfig = AlbertConfig.Load(teacherDir);
        TeacherModel.CheckShape(teacherConfig, teacherDir);
        if (options.StudentDir is null) StudentInit.CheckSizes(teacherConfig, options.EmbeddingSize, options.Groups);
        else if (!Directory.Exists(options.StudentDir)) throw new DirectoryNotFoundException($"--student: folder not found: {options.StudentDir}");
        if (options.MaxSeqLength > teacherConfig.MaxPositionEmbeddings)
            throw new ArgumentException($"--max-seq-length {options.MaxSeqLength} exceeds the teacher's max_position_embeddings ({teacherConfig.MaxPositionEmbeddings})");
        if (Path.GetFullPath(teacherDir).TrimEnd('/') == Path.GetFullPath(outDir).TrimEnd('/'))
            throw new ArgumentException($"--out {outDir} is the teacher's folder; writing there would replace the teacher");
        var tokenizer = AlbertTokenizer.FromModelDirectory(teacherDir);
        if (tokenizer.VocabSize != teacherConfig.VocabSize)
            throw new ArgumentException($"the teacher's tokenizer has {tokenizer.VocabSize} pieces, its vocab_size is {teacherConfig.VocabSize}");
        var source = corpus.Count > 0 ? new SentenceBatchSource(tokenizer, corpus, options.BatchSize, options.MaxSeqLength, (int)options.Seed, options.DevSentences) : null;
        var pairs = options.PairsFile is { } pf ? new PairBatchSource(tokenizer, StsPairReader.Read(pf), options.BatchSize, options.MaxSeqLength, (int)options.Seed) : null;
        var devPairs = options.PairsDevFile is { } df ? StsPairReader.Read(df) : null;

        var dev = TorchRuntime.ParseDevice(device);
        using var teacher = TeacherModel.Load(teacherDir, dev);
        string? ckpt = options.Resume ? TrainingCheckpoints.Latest(outDir) : null;
        double kept = double.NaN;
        TorchAlbertBackend student;
        if (ckpt is not null)
        {
            student = TorchAlbertBackend.Load(ckpt, AlbertHead.Base, device);
            var (e, g) = options.StudentDir is { } sd ? ShapeOf(sd) : (options.EmbeddingSize, options.Groups);
            if (student.Config.EmbeddingSize != e || student.Config.NumHiddenGroups != g)
            {
                student.Dispose();
                throw new ArgumentException($"--resume: {ckpt} holds a student with embedding_size {student.Config.EmbeddingSize} and {student.Config.NumHiddenGroups} groups, this run asks for {e} and {g}");
            }
        }
        else if (options.StudentDir is { } sd)
        {
            student = TorchAlbertBackend.Load(sd, AlbertHead.Base, device);
            if (student.Config.HiddenSize != teacherConfig.HiddenSize || student.Config.NumHiddenLayers != teacherConfig.NumHiddenLayers)
            {
                student.Dispose();
                throw new ArgumentException($"--student {sd}: hidden_size {student.Config.HiddenSize} and {student.Config.NumHiddenLayers} layers, the teacher has {teacherConfig.HiddenSize} and {teacherConfig.NumHiddenLayers}");
            }
            options.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"student: {sd} (E {student.Config.EmbeddingSize}, {student.Config.NumHiddenGroups} group(s)), trained further"));
        }
        else
        {
            var studentConfig = StudentInit.StudentConfig(teacherConfig, options.EmbeddingSize, options.Groups);
            student = TorchAlbertBackend.Create(studentConfig, AlbertHead.Base, options.Seed, device);
            kept = StudentInit.Initialize(teacher.Model, student.Model, options.GroupInit, copyPooler: teacher.HasPooler);
            string line = string.Create(CultureInfo.InvariantCulture,
                $"student: E {options.EmbeddingSize} (rank {options.EmbeddingSize - 1} keeps {kept:P2} of the centred word embeddings' energy), {options.Groups} group(s) from the teacher's layers ({options.GroupInit.ToString().ToLowerInvariant()})");
            options.Log?.WriteLine(teacher.HasPooler ? line : line + "; the teacher has no pooler: the student's is freshly initialised");
        }
        using (student)
        {
            var result = new Distiller(teacher, student, options, tokenizer).Run(source, outDir, ckpt, pairs, devPairs);
            if (ckpt is null) result = result with { EmbeddingEnergyKept = kept };
            CopyCompanionFiles(teacherDir, outDir);
            WriteResults(Path.Combine(outDir, ResultsFile), result, options);
            return result;
        }
    }

    static (int EmbeddingSize, int Groups) ShapeOf(string studentDir)
    {
        var c = AlbertConfig.Load(studentDir);
        return (c.EmbeddingSize, c.NumHiddenGroups);
    }

    /// <summary>
    /// Runs the remaining steps (from <paramref name="checkpoint"/> when resuming) and writes the model to
    /// <paramref name="outDir"/>: the last step's, or with <paramref name="devPairs"/> the best-measured step's.
    /// A step distils on the corpus batch (when <paramref name="source"/> is given) and on the pair batch's sentences
    /// with the CoSENT pair loss (when <paramref name="pairs"/> is given).
    /// </summary>
    public DistillResult Run(SentenceBatchSource? source, string outDir, string? checkpoint = null, PairBatchSource? pairs = null, IReadOnlyList<SentencePair>? devPairs = null)
    {
        if (source is null && pairs is null) throw new ArgumentException("nothing to train on: no corpus and no pairs");
        Directory.CreateDirectory(outDir);
        var model = _student.Model;
        var parameters = TorchWeights.UniqueParameters(model);
        using var optimizer = AlbertOptimizer.Create(OptimizerKind.AdamW, parameters);
        var schedule = new LinearSchedule(_options.LearningRate, _options.WarmupSteps, _options.MaxSteps);
        long start = 0;
        if (checkpoint is not null)
        {
            start = TrainingCheckpoints.ReadStep(checkpoint);
            optimizer.LoadState(Path.Combine(checkpoint, TrainingCheckpoints.OptimizerFile));
            _options.Log?.WriteLine($"resumed from {checkpoint} at step {start}");
        }
        var heldOut = source?.Dev ?? [];
        DistillEvaluation? initial = null;
        if (start == 0 && heldOut.Count > 0)
        {
            initial = Evaluate(heldOut);
            _options.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"init: held-out cosine to the teacher {initial.Cosine:F4}, hidden-state MSE {initial.HiddenMse:G4} ({initial.Sentences} sentences)"));
        }

        // dev pairs: measured at the start, every EvalEvery steps and at the end; the output folder keeps the best
        var devEvals = new List<PairEvaluation>();
        string devPath = Path.Combine(outDir, DevMetricsFile);
        PairEvaluation? best = null;
        if (devPairs is not null)
        {
            if (start > 0)
            {
                TrainingCheckpoints.TruncateMetrics(devPath, start);
                best = ReadBest(devPath);
            }
            else if (File.Exists(devPath)) File.Delete(devPath);
        }
        void MeasureDev(long step)
        {
            if (devPairs is null) return;
            var e = EvaluatePairs(devPairs, step);
            devEvals.Add(e);
            File.AppendAllText(devPath, TrainingCheckpoints.MetricsLine(step, ("dev_spearman", e.Spearman), ("pairs", e.Pairs)) + "\n");
            bool better = best is null || e.Spearman > best.Spearman;
            _options.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"dev pairs after step {step}: Spearman × 100 {e.Spearman:F2} ({e.Pairs} pairs){(better ? ", best so far: saved" : string.Create(CultureInfo.InvariantCulture, $"; best {best!.Spearman:F2} at step {best.Step}"))}"));
            if (!better) return;
            best = e;
            _student.SavePretrained(outDir, new Dictionary<string, string> { ["trained_by"] = "albertgen albertize", ["step"] = step.ToString(CultureInfo.InvariantCulture) });
        }
        if (start == 0) MeasureDev(0);

        var metrics = new List<DistillStepMetrics>();
        string metricsPath = Path.Combine(outDir, MetricsFile);
        if (start > 0) TrainingCheckpoints.TruncateMetrics(metricsPath, start);
        int sentencesPerStep = (source is null ? 0 : source.BatchSize) + (pairs is null ? 0 : 2 * pairs.BatchSize);
        bool measuredLast = false;
        using (var metricsOut = new StreamWriter(metricsPath, append: start > 0, new UTF8Encoding(false)))
        {
            model.eval(); // dropout off: the teacher is deterministic, so is the student's target (D34)
            for (long step = start; step < _options.MaxSteps; step++)
            {
                var sw = Stopwatch.StartNew();
                double lr = schedule.At(step);
                double loss = 0, mse = 0, cos = 0, pairLoss = double.NaN, norm;
                int parts = 0;
                using (NewDisposeScope())
                {
                    optimizer.ZeroGrad();
                    if (source is not null)
                    {
                        var batch = TorchBatch.From(source.BatchFor(step), _student.Device);
                        var t = _teacher.HiddenStates(batch);
                        var s = model.Albert.HiddenStates(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
                        var (l, m, c) = Loss(s, t, batch.AttentionMask, _options.CosineWeight);
                        l.backward();
                        loss += l.item<float>();
                        mse += m.item<float>();
                        cos += c.item<float>();
                        parts++;
                    }
                    if (pairs is not null)
                    {
                        var (host, gold) = pairs.BatchFor(step);
                        var batch = TorchBatch.From(host, _student.Device);
                        var t = _teacher.HiddenStates(batch);
                        var s = model.Albert.HiddenStates(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
                        var (l, m, c) = Loss(s, t, batch.AttentionMask, _options.CosineWeight);
                        var cosines = PairLoss.PairCosines(PairLoss.MeanPool(s[^1], batch.AttentionMask));
                        var p = PairLoss.CoSent(cosines, tensor(gold, device: _student.Device));
                        var total = l + _options.PairWeight * p;
                        total.backward();
                        loss += total.item<float>();
                        mse += m.item<float>();
                        cos += c.item<float>();
                        pairLoss = p.item<float>();
                        parts++;
                    }
                    mse /= parts;
                    cos /= parts;
                    norm = GradientClipping.ClipByGlobalNorm(parameters.Select(p => p.Parameter), _options.MaxGradNorm);
                    optimizer.Step(lr);
                }
                var row = new DistillStepMetrics(step + 1, loss, mse, cos, lr, norm, sw.Elapsed.TotalMilliseconds, pairLoss);
                metrics.Add(row);
                metricsOut.WriteLine(ToJson(row));
                metricsOut.Flush();
                string pairText = double.IsNaN(pairLoss) ? "" : string.Create(CultureInfo.InvariantCulture, $", pair {pairLoss:F4}");
                _options.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {row.Step}/{_options.MaxSteps} {TrainingCheckpoints.Bar(row.Step, _options.MaxSteps)}  loss {row.Loss:F5} (mse {row.HiddenMse:F5}, cos {row.Cosine:F4}{pairText})  lr {row.LearningRate:G4}  |g| {row.GradNorm:G4}  {row.StepMilliseconds:F0} ms  {sentencesPerStep / (row.StepMilliseconds / 1000):F1} sent/s"));
                if (_options.SaveEvery > 0 && row.Step % _options.SaveEvery == 0 && row.Step < _options.MaxSteps)
                    TrainingCheckpoints.Save(Path.Combine(outDir, "checkpoint-" + row.Step.ToString(CultureInfo.InvariantCulture)), _student, optimizer, row.Step, _options.Log);
                measuredLast = row.Step % _options.EvalEvery == 0;
                if (measuredLast) MeasureDev(row.Step);
            }
        }
        if (!measuredLast && start < _options.MaxSteps) MeasureDev(_options.MaxSteps);
        var final = Evaluate(heldOut);
        if (final.Sentences > 0)
            _options.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"final: held-out cosine to the teacher {final.Cosine:F4}, hidden-state MSE {final.HiddenMse:G4}"));
        if (devPairs is null)
            _student.SavePretrained(outDir, new Dictionary<string, string> { ["trained_by"] = "albertgen albertize" });
        else if (best is not null)
            _options.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{outDir} holds the model after step {best.Step}: dev pairs Spearman × 100 {best.Spearman:F2}"));
        return new DistillResult(initial, final, double.NaN, start, metrics) { DevEvaluations = devEvals, Best = best };
    }

    /// <summary>The best measurement in a dev_metrics.jsonl (a resumed run continues to choose against it), or null.</summary>
    static PairEvaluation? ReadBest(string path)
    {
        if (!File.Exists(path)) return null;
        PairEvaluation? best = null;
        foreach (var line in File.ReadLines(path))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (!r.TryGetProperty("dev_spearman", out var v) || v.ValueKind != JsonValueKind.Number) continue;
            var e = new PairEvaluation(r.GetProperty("step").GetInt64(), v.GetDouble(), r.GetProperty("pairs").GetInt32());
            if (best is null || e.Spearman > best.Spearman) best = e;
        }
        return best;
    }

    /// <summary>
    /// Spearman × 100 of the student's cosines (mean-pooled last hidden states, as sentence-transformers pools this
    /// kind of model) against the gold scores, as STS-B is scored (no gradients, batches of the step size).
    /// </summary>
    public PairEvaluation EvaluatePairs(IReadOnlyList<SentencePair> devPairs, long step = 0)
    {
        var unique = devPairs.SelectMany(p => new[] { p.A, p.B }).Distinct(StringComparer.Ordinal).ToList();
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        using (no_grad())
        {
            int chunkSize = Math.Max(2 * _options.BatchSize, 16);
            // sorted by length, so a batch pads little
            var ordered = unique.OrderBy(s => s.Length).ToList();
            for (int i = 0; i < ordered.Count; i += chunkSize)
            {
                using var scope = NewDisposeScope();
                var chunk = ordered.Skip(i).Take(chunkSize).ToList();
                var batch = TorchBatch.From(EncodeSentences(chunk), _student.Device);
                var s = _student.Model.Albert.HiddenStates(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
                var pooled = PairLoss.MeanPool(s[^1], batch.AttentionMask).cpu().data<float>().ToArray();
                int h = pooled.Length / chunk.Count;
                for (int k = 0; k < chunk.Count; k++) vectors[chunk[k]] = pooled.AsSpan(k * h, h).ToArray();
            }
        }
        double spearman = EmbeddingMetrics.StsSpearman(devPairs.Select(p => vectors[p.A]).ToList(), devPairs.Select(p => vectors[p.B]).ToList(),
            devPairs.Select(p => p.Score).ToList());
        return new PairEvaluation(step, spearman, devPairs.Count);
    }

    /// <summary>
    /// loss = mean over the hidden states k of Σ_attended (s_k − t_k)² / (tokens · H), + w · mean(1 − cos(pool(s_L), pool(t_L))),
    /// pool = the mean over attended tokens. Returns (loss, hidden MSE, mean cosine).
    /// </summary>
    public static (Tensor Loss, Tensor HiddenMse, Tensor Cosine) Loss(Tensor[] student, Tensor[] teacher, Tensor attentionMask, double cosineWeight)
    {
        if (student.Length != teacher.Length)
            throw new ArgumentException($"{student.Length} student hidden states, {teacher.Length} teacher ones");
        using var scope = NewDisposeScope();
        var mask = attentionMask.to_type(ScalarType.Float32).unsqueeze(-1);     // (B, S, 1)
        var count = mask.sum() * student[0].shape[^1];
        Tensor mse = zeros(1, device: student[0].device).squeeze();
        for (int k = 0; k < student.Length; k++)
            mse = mse + ((student[k] - teacher[k]).square() * mask).sum() / count;
        mse = mse / student.Length;
        var tokens = mask.sum(1).clamp_min(1);                                    // (B, 1)
        var ps = (student[^1] * mask).sum(1) / tokens;
        var pt = (teacher[^1] * mask).sum(1) / tokens;
        var cos = nn.functional.cosine_similarity(ps, pt, 1, 1e-8).mean();
        var loss = mse + cosineWeight * (1 - cos);
        return (loss.MoveToOuterDisposeScope(), mse.MoveToOuterDisposeScope(), cos.MoveToOuterDisposeScope());
    }

    /// <summary>The student against the teacher on <paramref name="sentences"/> (eval mode, no gradients), in batches of the step size.</summary>
    public DistillEvaluation Evaluate(IReadOnlyList<string> sentences)
    {
        if (sentences.Count == 0) return new DistillEvaluation(double.NaN, double.NaN, 0);
        using var noGrad = no_grad();
        double mse = 0, cos = 0;
        for (int i = 0; i < sentences.Count; i += _options.BatchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = sentences.Skip(i).Take(_options.BatchSize).ToList();
            var batch = TorchBatch.From(EncodeSentences(chunk), _student.Device);
            var t = _teacher.HiddenStates(batch);
            var s = _student.Model.Albert.HiddenStates(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
            var (_, m, c) = Loss(s, t, batch.AttentionMask, 0);
            mse += m.item<float>() * chunk.Count;
            cos += c.item<float>() * chunk.Count;
        }
        return new DistillEvaluation(mse / sentences.Count, cos / sentences.Count, sentences.Count);
    }

    /// <summary>Sentences as one padded batch, with the teacher's tokenizer, truncated to the maximum length.</summary>
    AlbertBatch EncodeSentences(IReadOnlyList<string> texts) =>
        EncodedBatch.From(texts.Select(t => _tokenizer.Encode(t, maxLength: _options.MaxSeqLength)).ToList(), _tokenizer.PadTokenId);

    /// <summary>The teacher's tokenizer files and sentence-transformers files (modules.json, …, and its <c>N_Name/</c> module folders), copied atomically.</summary>
    public static void CopyCompanionFiles(string teacherDir, string outDir)
    {
        foreach (var name in AlbertTokenizer.FileNames)
        {
            string from = Path.Combine(teacherDir, name);
            if (File.Exists(from)) AtomicFile.Copy(from, Path.Combine(outDir, name));
        }
        SentenceTransformersFiles.Copy(teacherDir, outDir);
    }

    static void WriteResults(string path, DistillResult r, DistillOptions o)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("embedding_size", o.EmbeddingSize);
            w.WriteNumber("num_hidden_groups", o.Groups);
            w.WriteString("group_init", o.GroupInit.ToString().ToLowerInvariant());
            w.WriteNumber("steps", r.StartStep + r.Steps.Count);
            w.WriteNumber("batch_size", o.BatchSize);
            TrainingCheckpoints.WriteNumber(w, "embedding_energy_kept", r.EmbeddingEnergyKept);
            if (r.Initial is { } i)
            {
                TrainingCheckpoints.WriteNumber(w, "init_dev_cosine", i.Cosine);
                TrainingCheckpoints.WriteNumber(w, "init_dev_hidden_mse", i.HiddenMse);
            }
            TrainingCheckpoints.WriteNumber(w, "final_dev_cosine", r.Final.Cosine);
            TrainingCheckpoints.WriteNumber(w, "final_dev_hidden_mse", r.Final.HiddenMse);
            w.WriteNumber("dev_sentences", r.Final.Sentences);
            if (o.PairsFile is not null)
            {
                w.WriteString("pairs", o.PairsFile);
                TrainingCheckpoints.WriteNumber(w, "pair_weight", o.PairWeight);
            }
            if (o.StudentDir is not null) w.WriteString("student", o.StudentDir);
            if (r.Best is { } b)
            {
                w.WriteString("pairs_dev", o.PairsDevFile);
                w.WriteNumber("best_step", b.Step);
                TrainingCheckpoints.WriteNumber(w, "best_dev_spearman", b.Spearman);
                w.WriteNumber("dev_pairs", b.Pairs);
            }
            w.WriteEndObject();
        }
        AtomicFile.WriteAllText(path, Encoding.UTF8.GetString(ms.ToArray()) + "\n");
    }

    /// <summary>A metrics.jsonl line; <c>pair_loss</c> only for runs with pairs.</summary>
    static string ToJson(DistillStepMetrics m) => double.IsNaN(m.PairLoss)
        ? TrainingCheckpoints.MetricsLine(m.Step, ("loss", m.Loss), ("hidden_mse", m.HiddenMse), ("cosine", m.Cosine),
            ("learning_rate", m.LearningRate), ("grad_norm", m.GradNorm), ("step_ms", m.StepMilliseconds))
        : TrainingCheckpoints.MetricsLine(m.Step, ("loss", m.Loss), ("hidden_mse", m.HiddenMse), ("cosine", m.Cosine),
            ("learning_rate", m.LearningRate), ("grad_norm", m.GradNorm), ("step_ms", m.StepMilliseconds), ("pair_loss", m.PairLoss));
}
