using System.Text.Json;
using AlbertGen.Tasks.Distillation;
using AlbertGen.Tests;
using AlbertGen.Torch.Distillation;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AlbertGen.Torch.Tests;

/// <summary>
/// albertize's sentence-pair stage (D40): the CoSENT loss against a plain double-precision evaluation of its formula,
/// and pair training on the tiny random teacher: dev measurements, the best step's model kept, refused settings.
/// </summary>
public sealed class PairDistillationTests(ITestOutputHelper log) : IDisposable
{
    readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>log(1 + Σ_{s_i &gt; s_j} exp(λ(c_j − c_i))), written out term by term in double.</summary>
    static double CoSentByHand(double[] c, double[] s, double scale)
    {
        double sum = 1;
        for (int i = 0; i < c.Length; i++)
            for (int j = 0; j < c.Length; j++)
                if (s[i] > s[j]) sum += Math.Exp(scale * (c[j] - c[i]));
        return Math.Log(sum);
    }

    [TorchFact]
    public void CoSent_equals_its_formula_and_orders_the_gradient()
    {
        double[] c = [0.9, 0.2, 0.5, 0.5, -0.3];
        double[] s = [4.0, 1.0, 2.5, 2.5, 0.0]; // a tie: (2, 3) and (3, 2) add no term
        foreach (double scale in (double[])[1.0, PairLoss.CoSentScale])
        {
            using var cos = tensor(c.Select(x => (float)x).ToArray()).requires_grad_();
            using var gold = tensor(s.Select(x => (float)x).ToArray());
            using var loss = PairLoss.CoSent(cos, gold, scale);
            double expected = CoSentByHand(c, s, scale);
            log.WriteLine($"λ {scale}: CoSENT {loss.item<float>():G8}, by hand {expected:G8}");
            Assert.True(Math.Abs(loss.item<float>() - expected) <= 1e-5 * Math.Max(1, expected), $"λ {scale}: {loss.item<float>()} vs {expected}");
            loss.backward();
            var g = cos.grad!.data<float>().ToArray();
            // the highest-scored pair's cosine should rise (negative gradient), the lowest's fall
            Assert.True(g[0] < 0 && g[4] > 0, $"gradient {string.Join(", ", g)}");
        }

        // the gold order already held by a wide margin: loss near 0; all scores equal: exactly log 1 = 0
        using var good = PairLoss.CoSent(tensor(new[] { 0.9f, 0.1f, -0.8f }), tensor(new[] { 5f, 2f, 0f }));
        Assert.True(good.item<float>() < 1e-6, $"{good.item<float>()}");
        using var flat = PairLoss.CoSent(tensor(new[] { 0.3f, 0.1f }), tensor(new[] { 2f, 2f }));
        Assert.Equal(0f, flat.item<float>());
        Assert.Throws<ArgumentException>(() => PairLoss.CoSent(zeros(3), zeros(4)));
    }

    [TorchFact]
    public void Mean_pool_and_pair_cosines_follow_the_mask_and_row_layout()
    {
        // 4 rows (2 pairs) of 3 tokens, hidden 2; padding positions hold values the mask must drop
        var h = new float[]
        {
            1, 0,   3, 0,   99, 99,     // row 0: mean (2, 0)
            0, 1,   0, 1,   0, 1,       // row 1: mean (0, 1)
            4, 0,   -7, -7, -7, -7,     // row 2: mean (4, 0)  → pair 0: rows 0, 2: cos 1
            1, 1,   -1, 1,  50, 50,     // row 3: mean (0, 1)  → pair 1: rows 1, 3: cos 1 … made 0 below
        };
        using var hidden = tensor(h, [4, 3, 2]);
        using var mask = tensor(new long[] { 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0 }, [4, 3]);
        using var pooled = PairLoss.MeanPool(hidden, mask);
        Assert.Equal(new float[] { 2, 0, 0, 1, 4, 0, 0, 1 }, pooled.data<float>().ToArray());
        using var swapped = cat([pooled[..2], pooled[3..4], pooled[2..3]]); // pair 0: (2,0)·(0,1) = 0, pair 1: (0,1)·(4,0) = 0
        Assert.Equal(new float[] { 1, 1 }, PairLoss.PairCosines(pooled).data<float>().ToArray());
        Assert.Equal(new float[] { 0, 0 }, PairLoss.PairCosines(swapped).data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => PairLoss.PairCosines(pooled[..3]));
    }

    static readonly string[] Marked = ["sea", "ship", "stars"];

    /// <summary>
    /// Pairs of corpus sentences scored 5 when both or neither mention the sea, a ship or the stars, else 0: a rule the
    /// teacher-initialised student does not follow (its cosines track word overlap), and that mean-pooled vectors can
    /// learn by separating the two kinds of sentence.
    /// </summary>
    string Pairs(string name, int count, int seed)
    {
        string corpus = File.ReadAllText(TinyTeacher.Corpus(_tmp.File(name + ".txt"), sentences: 2 * count, seed: seed));
        var sentences = corpus.Split(". ", StringSplitOptions.RemoveEmptyEntries).Select(t => t.Trim()).Where(t => t.Length > 0).ToList();
        bool Marks(string t) => t.ToLowerInvariant().Split(' ').Any(w => Marked.Contains(w));
        var lines = new List<string>();
        for (int i = 0; i + 1 < sentences.Count && lines.Count < count; i += 2)
        {
            string a = sentences[i], b = sentences[i + 1];
            lines.Add($"g\tf\t2026\t{i:D4}\t{(Marks(a) == Marks(b) ? "5.000" : "0.000")}\t{a}.\t{b}.");
        }
        string path = _tmp.File(name + ".tsv");
        File.WriteAllLines(path, lines);
        return path;
    }

    static DistillOptions Options(int steps) => new()
    {
        EmbeddingSize = 12, Groups = 1, MaxSteps = steps, BatchSize = 16, MaxSeqLength = 32, DevSentences = 0, WarmupSteps = 0,
        LearningRate = 2e-3, EvalEvery = 10,
    };

    [TorchFact]
    public void Pair_training_keeps_the_best_dev_step_and_records_every_measurement()
    {
        string teacher = TinyTeacher.Make(_tmp.File("teacher"));
        string train = Pairs("train", 128, 11), dev = Pairs("dev", 48, 12);
        string outDir = _tmp.File("student");
        var o = Options(30) with { PairsFile = train, PairsDevFile = dev, PairWeight = 5.0, CosineWeight = 0 };
        var r = Distiller.Albertize(teacher, [], outDir, o, "cpu");

        Assert.Equal(30, r.Steps.Count);
        Assert.All(r.Steps, m => Assert.False(double.IsNaN(m.PairLoss), $"step {m.Step}: no pair loss"));
        Assert.Equal([0L, 10L, 20L, 30L], r.DevEvaluations.Select(e => e.Step));
        Assert.Equal(r.DevEvaluations.MaxBy(e => e.Spearman), r.Best);
        log.WriteLine($"dev Spearman × 100: {string.Join(", ", r.DevEvaluations.Select(e => $"{e.Step}: {e.Spearman:F2}"))}; pair loss {r.Steps[0].PairLoss:F3} → {r.Steps[^1].PairLoss:F3}");
        Assert.True(r.Best!.Spearman > r.DevEvaluations[0].Spearman + 5, $"pair training did not improve the dev ranking: {r.DevEvaluations[0].Spearman:F2} → best {r.Best.Spearman:F2}");

        // the folder holds the best step's model: measured again from the file, it scores what was recorded
        Assert.Equal(4, File.ReadAllLines(Path.Combine(outDir, Distiller.DevMetricsFile)).Length);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, Distiller.ResultsFile))))
        {
            Assert.Equal(r.Best.Step, doc.RootElement.GetProperty("best_step").GetInt64());
            Assert.Equal(48, doc.RootElement.GetProperty("dev_pairs").GetInt32());
        }
        using var t = TeacherModel.Load(teacher, CPU);
        using var saved = TorchAlbertBackend.Load(outDir, AlbertGen.Config.AlbertHead.Base, "cpu");
        var tok = AlbertGen.Tokenization.AlbertTokenizer.FromModelDirectory(outDir);
        var again = new Distiller(t, saved, o, tok).EvaluatePairs(StsPairReader.Read(dev));
        Assert.True(Math.Abs(again.Spearman - r.Best.Spearman) < 1e-6, $"saved model scores {again.Spearman}, best recorded {r.Best.Spearman}");

        // a second stage from this student (--student) starts where it ended
        string stage2 = _tmp.File("stage2");
        var r2 = Distiller.Albertize(teacher, [], stage2, Options(0) with { PairsFile = train, PairsDevFile = dev, StudentDir = outDir }, "cpu");
        Assert.True(Math.Abs(r2.DevEvaluations[0].Spearman - r.Best.Spearman) < 1e-6, $"stage 2 starts at {r2.DevEvaluations[0].Spearman}, stage 1 ended at {r.Best.Spearman}");
    }

    [TorchFact]
    public void Bad_pair_settings_are_refused_with_the_reason()
    {
        string teacher = TinyTeacher.Make(_tmp.File("teacher"));
        string train = Pairs("train", 20, 1);
        string outDir = _tmp.File("student");
        string Error(DistillOptions o) => Assert.ThrowsAny<Exception>(() => Distiller.Albertize(teacher, [], outDir, o, "cpu")).Message;

        Assert.Contains("--corpus", Error(Options(1)));
        Assert.Contains("--pairs-dev needs --pairs", Error(Options(1) with { PairsDevFile = train }));
        Assert.Contains("--pair-weight", Error(Options(1) with { PairsFile = train, PairWeight = -1 }));
        Assert.Contains("--eval-every", Error(Options(1) with { PairsFile = train, EvalEvery = 0 }));
        string bad = _tmp.File("bad.tsv");
        File.WriteAllText(bad, "g\tf\ty\ti\t7\ta\tb\n");
        Assert.Contains("bad.tsv:1: score '7'", Error(Options(1) with { PairsFile = bad }));
        Assert.Contains("sentence-pair file not found", Error(Options(1) with { PairsFile = _tmp.File("none.tsv") }));
        Assert.Contains("--student: folder not found", Error(Options(1) with { PairsFile = train, StudentDir = _tmp.File("nobody") }));
        string wrongDepth = TinyTeacher.Make(_tmp.File("shallow"), layers: 2);
        Assert.Contains("the teacher has", Error(Options(1) with { PairsFile = train, StudentDir = wrongDepth }));
        Assert.False(Directory.Exists(outDir), "nothing is written for a refused run");
    }
}
