using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Tasks.Distillation;
using AlbertGen.Tasks.Pipelines;
using AlbertGen.Tests;
using AlbertGen.Tokenization;
using AlbertGen.Torch.Distillation;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Tests;

/// <summary>
/// albertize on a small random BERT-shaped teacher made in the test (<see cref="TinyTeacher"/>): the student's
/// initialisation, distillation, resuming, and the output folder in both backends.
/// </summary>
public sealed class AlbertizeTests(ITestOutputHelper log) : IDisposable
{
    readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    string Teacher() => TinyTeacher.Make(_tmp.File("teacher"));

    string Corpus() => TinyTeacher.Corpus(_tmp.File("corpus.txt"));

    static DistillOptions Options(int e, int g, int steps = 0) => new()
    {
        EmbeddingSize = e, Groups = g, MaxSteps = steps, BatchSize = 16, MaxSeqLength = 32, DevSentences = 32, WarmupSteps = 0, LearningRate = 1e-3,
    };

    /// <summary>A batch of real token ids from the teacher's tokenizer, two rows padded.</summary>
    static AlbertBatch Batch(string teacherDir)
    {
        var tok = AlbertTokenizer.FromModelDirectory(teacherDir);
        string[] texts = ["The sea was calm and the night was dark.", "A ship sailed.", "Old captain looked at the stars, they were bright and cold."];
        var b = AlbertGen.Tasks.EncodedBatch.From(texts.Select(t => tok.Encode(t)).ToList(), tok.PadTokenId);
        for (int i = 0; i < b.SequenceLength; i++) b.TokenTypeIds![2 * b.SequenceLength + i] = i % 2; // exercise token types too
        return b;
    }

    static (float[] Student, float[] Teacher) HiddenState(TeacherModel teacher, AlbertGen.Torch.Modules.AlbertForHead student, AlbertBatch host, int k)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var batch = TorchBatch.From(host, CPU);
        var t = teacher.HiddenStates(batch);
        var s = student.Albert.HiddenStates(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        return (TorchAlbertOutput.ToHost(s[k])!.Data, TorchAlbertOutput.ToHost(t[k])!.Data);
    }

    [TorchFact]
    public void Full_rank_factorisation_reproduces_the_teachers_embedding_output()
    {
        string dir = Teacher();
        using var teacher = TeacherModel.Load(dir, CPU);
        var sc = StudentInit.StudentConfig(teacher.Config, TinyTeacher.Hidden, TinyTeacher.Layers);
        using var student = TorchAlbertBackend.Create(sc, AlbertHead.Base, 1, "cpu");
        double kept = StudentInit.Initialize(teacher.Model, student.Model, GroupInit.Middle, copyPooler: true);
        Assert.True(kept > 0.999999, $"rank H − 1 of the centred embeddings keeps all their energy, found {kept}");
        var (s, t) = HiddenState(teacher, student.Model, Batch(dir), 0);
        double err = Fixtures.RelativeError(s, t);
        log.WriteLine($"E = H: embedding output (hidden_states[0]) relative error {err:E3}");
        Assert.True(err <= 1e-5, $"relative error {err:E3}");
    }

    [TorchFact]
    public void Full_rank_all_groups_student_equals_the_teacher_through_the_cpu_engine()
    {
        string dir = Teacher();
        string outDir = _tmp.File("student");
        var r = Distiller.Albertize(dir, [Corpus()], outDir, Options(TinyTeacher.Hidden, TinyTeacher.Layers), "cpu");
        Assert.Empty(r.Steps);
        var batch = Batch(dir);
        using var t = CpuAlbertModel.Load(dir, threads: 1);
        using var s = CpuAlbertModel.Load(outDir, threads: 1);
        Assert.Equal(TinyTeacher.Hidden, s.Config.EmbeddingSize);
        var to = t.Forward(batch);
        var so = s.Forward(batch);
        double hidden = Fixtures.RelativeError(so.LastHiddenState!.Data, to.LastHiddenState!.Data);
        double pooled = Fixtures.RelativeError(so.PoolerOutput!.Data, to.PoolerOutput!.Data);
        log.WriteLine($"E = H, G = L: CPU engine last_hidden_state rel {hidden:E3}, pooler_output rel {pooled:E3}; held-out cosine {r.Initial!.Cosine:F7}");
        Assert.True(hidden <= 1e-5, $"last_hidden_state relative error {hidden:E3}");
        Assert.True(pooled <= 1e-5, $"pooler_output relative error {pooled:E3}");
        Assert.True(r.Initial.Cosine > 0.99999, $"held-out cosine {r.Initial.Cosine}");
    }

    /// <summary>A reduced student (E = 12, one group) starts nearer the teacher than a fresh HF init of the same shape, for every group init.</summary>
    [TorchFact]
    public void Reduced_student_starts_nearer_the_teacher_than_a_random_one()
    {
        string dir = Teacher();
        var tok = AlbertTokenizer.FromModelDirectory(dir);
        var source = new SentenceBatchSource(tok, [Corpus()], 16, 32, 1, 64);
        using var teacher = TeacherModel.Load(dir, CPU);
        var sc = StudentInit.StudentConfig(teacher.Config, 12, 1);
        DistillEvaluation Eval(TorchAlbertBackend student) => new Distiller(teacher, student, Options(12, 1), tok).Evaluate(source.Dev);
        using var random = TorchAlbertBackend.Create(sc, AlbertHead.Base, 1, "cpu");
        var baseline = Eval(random);
        log.WriteLine($"fresh HF init: cosine {baseline.Cosine:F4}, hidden MSE {baseline.HiddenMse:G4}");
        foreach (var init in Enum.GetValues<GroupInit>())
        {
            using var student = TorchAlbertBackend.Create(sc, AlbertHead.Base, 1, "cpu");
            double kept = StudentInit.Initialize(teacher.Model, student.Model, init, copyPooler: true);
            var e = Eval(student);
            log.WriteLine($"{init}: cosine {e.Cosine:F4}, hidden MSE {e.HiddenMse:G4} (embedding energy kept {kept:P1})");
            Assert.True(e.HiddenMse < baseline.HiddenMse, $"{init}: MSE {e.HiddenMse} not below the random init's {baseline.HiddenMse}");
        }
    }

    [TorchFact]
    public void Distillation_steps_reduce_the_loss()
    {
        string dir = Teacher();
        var r = Distiller.Albertize(dir, [Corpus()], _tmp.File("student"), Options(12, 2, steps: 30), "cpu");
        Assert.Equal(30, r.Steps.Count);
        double first = r.Steps.Take(3).Average(m => m.Loss), last = r.Steps.TakeLast(3).Average(m => m.Loss);
        log.WriteLine($"loss {first:F5} → {last:F5}; held-out MSE {r.Initial!.HiddenMse:G4} → {r.Final.HiddenMse:G4}, cosine {r.Initial.Cosine:F4} → {r.Final.Cosine:F4}");
        Assert.True(last < 0.9 * first, $"training loss {first} → {last}");
        Assert.True(r.Final.HiddenMse < r.Initial.HiddenMse, $"held-out MSE {r.Initial.HiddenMse} → {r.Final.HiddenMse}");
        Assert.Equal(30, File.ReadAllLines(Path.Combine(_tmp.File("student"), Distiller.MetricsFile)).Length);
    }

    /// <summary>
    /// Resuming from checkpoint-3 of a 6-step run gives the uninterrupted run's weights and losses: dropout is off and the
    /// data stream is replayed, so the steps are deterministic (on one machine and thread count; exact equality is asserted).
    /// </summary>
    [TorchFact]
    public void Resume_from_a_checkpoint_equals_the_uninterrupted_run()
    {
        string dir = Teacher();
        string corpus = Corpus();
        string outDir = _tmp.File("student");
        var o = Options(12, 2, steps: 6) with { SaveEvery = 3 };
        var whole = Distiller.Albertize(dir, [corpus], outDir, o, "cpu");
        var wholeWeights = ReadAll(Path.Combine(outDir, "model.safetensors"));
        Assert.True(Directory.Exists(Path.Combine(outDir, "checkpoint-3")));

        var resumed = Distiller.Albertize(dir, [corpus], outDir, o with { Resume = true }, "cpu");
        Assert.Equal(3, resumed.StartStep);
        Assert.Equal([4L, 5L, 6L], resumed.Steps.Select(m => m.Step));
        for (int i = 0; i < 3; i++)
            Assert.Equal(whole.Steps[3 + i].Loss, resumed.Steps[i].Loss);
        var again = ReadAll(Path.Combine(outDir, "model.safetensors"));
        foreach (var (name, w) in wholeWeights)
            Assert.True(w.AsSpan().SequenceEqual(again[name]), $"{name} differs after resuming");
        Assert.Equal(6, File.ReadAllLines(Path.Combine(outDir, Distiller.MetricsFile)).Length);
    }

    [TorchFact]
    public void Output_folder_loads_everywhere_and_the_backends_agree()
    {
        string dir = Teacher();
        string outDir = _tmp.File("student");
        Distiller.Albertize(dir, [Corpus()], outDir, Options(12, 2, steps: 3), "cpu");
        foreach (var f in (string[])["config.json", "model.safetensors", "spiece.model", "modules.json", "1_Pooling/config.json", Distiller.ResultsFile])
            Assert.True(File.Exists(Path.Combine(outDir, f)), $"{f} missing");
        var config = AlbertConfig.Load(outDir);
        Assert.Equal((12, 2, TinyTeacher.Hidden, TinyTeacher.Layers), (config.EmbeddingSize, config.NumHiddenGroups, config.HiddenSize, config.NumHiddenLayers));
        Assert.Equal(AlbertHead.Base, config.DefaultHead);

        var batch = Batch(dir);
        using var cpu = CpuAlbertModel.Load(outDir, threads: 1);
        using var torchModel = TorchAlbertBackend.Load(outDir, device: "cpu");
        var c = cpu.Forward(batch);
        var t = torchModel.Forward(batch);
        double hidden = Fixtures.RelativeError(t.LastHiddenState!.Data, c.LastHiddenState!.Data);
        double pooled = Fixtures.RelativeError(t.PoolerOutput!.Data, c.PoolerOutput!.Data);
        log.WriteLine($"student: torch vs CPU engine last_hidden_state {hidden:E3}, pooler_output {pooled:E3}");
        Assert.True(hidden <= 1e-5 && pooled <= 1e-5, $"torch vs cpu: {hidden:E3}, {pooled:E3}");

        using var pipelines = TextPipelines.OpenForEmbeddings(outDir);
        var v = pipelines.Embed(["the sea was calm"]);
        Assert.Equal(TinyTeacher.Hidden, v[0].Length);
    }

    [TorchFact]
    public void Bad_arguments_are_refused_with_the_reason()
    {
        string dir = Teacher();
        string corpus = Corpus();
        string outDir = _tmp.File("student");
        string Error(DistillOptions o, string teacher = "", string[]? c = null) =>
            Assert.ThrowsAny<Exception>(() => Distiller.Albertize(teacher == "" ? dir : teacher, c ?? [corpus], outDir, o, "cpu")).Message;

        Assert.Contains("--embedding-size", Error(Options(TinyTeacher.Hidden + 1, 1)));
        Assert.Contains("--embedding-size", Error(Options(1, 1)));
        Assert.Contains("does not divide", Error(Options(8, 3)));
        Assert.Contains("--groups", Error(Options(8, TinyTeacher.Layers * 2)));
        Assert.Contains("--groups", Error(Options(8, 0)));
        Assert.Contains("folder not found", Error(Options(8, 1), teacher: _tmp.File("nothing")));
        Assert.Contains("--corpus", Error(Options(8, 1), c: []));
        Assert.Contains("corpus path not found", Error(Options(8, 1), c: [_tmp.File("no.txt")]));
        Assert.Contains("--max-steps", Error(Options(8, 1, steps: -1)));
        Assert.Contains("teacher's folder", Assert.ThrowsAny<Exception>(() => Distiller.Albertize(dir, [corpus], dir, Options(8, 1), "cpu")).Message);

        // an ALBERT that is already factorised is not a BERT-shaped teacher
        var albert = _tmp.CopyFixture("pipeline-mlm");
        Assert.Contains("embedding_size 16 ≠ hidden_size 32", Error(Options(8, 1), teacher: albert));
        Assert.False(Directory.Exists(outDir), "nothing is written for a refused run");
    }

    static Dictionary<string, float[]> ReadAll(string path)
    {
        using var f = SafeTensorsFile.Open(path);
        return f.Tensors.ToDictionary(e => e.Name, e => f.ReadFloat32Array(e.Name));
    }
}
