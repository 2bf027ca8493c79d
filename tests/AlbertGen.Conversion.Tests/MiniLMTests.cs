using AlbertGen.Cli.Tests;
using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.Tasks.Pipelines;
using AlbertGen.Tests;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace AlbertGen.Conversion.Tests;

/// <summary>
/// The real all-MiniLM-L6-v2 from its NuGet package, converted by <see cref="BertToAlbert"/>: the CPU engine's
/// last_hidden_state and pooler_output against ONNX Runtime on the original graph, and STS-B test Spearman with
/// sentence-transformers' pooling for this model (mean over the attention mask, then normalize).
/// </summary>
public sealed class MiniLMTests(ITestOutputHelper output)
{
    static readonly string[] Sentences =
    [
        "A man is playing a guitar.",
        "The quick brown fox jumps over the lazy dog; it was not amused!",
        "Héllo wörld, naïve café — ünïcödé and 12,345.67 numbers",
        "short",
        "Sentence embeddings map text to vectors whose cosine similarity tracks meaning, which is what semantic search needs.",
    ];

    [MiniLMFact]
    public void ConvertedConfigIsMiniLM()
    {
        var c = AlbertConfig.Load(MiniLMPackage.AlbertDir);
        Assert.Equal((384, 384, 6, 6, 1, 12, 1536, 30522, 512), (c.HiddenSize, c.EmbeddingSize, c.NumHiddenLayers, c.NumHiddenGroups, c.InnerGroupNum, c.NumAttentionHeads, c.IntermediateSize, c.VocabSize, c.MaxPositionEmbeddings));
        Assert.Equal("gelu", c.HiddenAct);
        Assert.Equal(1e-12f, c.LayerNormEps);
        Assert.True(File.Exists(Path.Combine(MiniLMPackage.AlbertDir, "vocab.txt")));
    }

    [MiniLMFact]
    public void RunEqualsOnnxRuntimeOnTheOriginalGraph()
    {
        using var pipelines = TextPipelines.Open(MiniLMPackage.AlbertDir, AlbertHead.Base);
        var enc = pipelines.Tokenizer.EncodeBatch(Sentences, padding: AlbertGen.Tokenization.PaddingStrategy.Longest);
        int rows = enc.Count, seq = enc[0].Length;
        var ids = enc.SelectMany(e => e.Ids).ToArray();
        var mask = enc.SelectMany(e => e.AttentionMask).ToArray();
        var types = enc.SelectMany(e => e.TokenTypeIds).ToArray();
        var ours = pipelines.Backend.Forward(new AlbertBatch(rows, seq, ids, mask, types));

        using var session = new InferenceSession(Path.Combine(MiniLMPackage.SourceDir, "model.onnx"));
        int[] dims = [rows, seq];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids.Select(v => (long)v).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask.Select(v => (long)v).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(types.Select(v => (long)v).ToArray(), dims)),
        };
        using var results = session.Run(inputs);
        var hidden = results.First(r => r.Name == "last_hidden_state").AsTensor<float>().ToArray();
        var pooled = results.First(r => r.Name != "last_hidden_state").AsTensor<float>().ToArray();

        double errHidden = Fixtures.RelativeError(ours.LastHiddenState!.Data, hidden);
        double errPooled = Fixtures.RelativeError(ours.PoolerOutput!.Data, pooled);
        output.WriteLine($"rows {rows} × seq {seq}: last_hidden_state rel err {errHidden:E2}, pooler_output {errPooled:E2}, max abs {hidden.Zip(ours.LastHiddenState!.Data).Max(p => Math.Abs(p.First - p.Second)):E2}");
        Assert.True(errHidden <= 1e-5, $"last_hidden_state relative error {errHidden:E2} vs ONNX Runtime");
        Assert.True(errPooled <= 1e-5, $"pooler_output relative error {errPooled:E2} vs ONNX Runtime");
        // per row too: padding must not hide a wrong short row
        int h = 384;
        for (int r = 0; r < rows; r++)
        {
            int n = enc[r].AttentionMask.Sum();
            double e = Fixtures.RelativeError(ours.LastHiddenState.Data.AsSpan(r * seq * h, n * h), hidden.AsSpan(r * seq * h, n * h));
            Assert.True(e <= 1e-5, $"row {r}: relative error {e:E2}");
        }
    }

    [MiniLMFact("tasks/STS-B/test.tsv")]
    public void StsbTestSpearmanIs82()
    {
        string tsv = SharedData.Find("tasks/STS-B/test.tsv")!;
        var (a, b, gold) = ReadStsb(tsv);
        Assert.Equal(1379, gold.Length);
        using var pipelines = TextPipelines.OpenForEmbeddings(MiniLMPackage.AlbertDir);
        var ea = pipelines.Embed(a, meanPooling: true);
        var eb = pipelines.Embed(b, meanPooling: true);
        var cos = new double[gold.Length];
        for (int i = 0; i < cos.Length; i++) cos[i] = Cosine(Normalize(ea[i]), Normalize(eb[i]));
        double spearman = 100 * Spearman(cos, gold);
        output.WriteLine($"STS-B test Spearman × 100: {spearman:F3} ({gold.Length} pairs)");
        Assert.True(Math.Abs(spearman - 82.03) <= 0.1, $"STS-B test Spearman {spearman:F2}, 82.03 ± 0.1 expected");
    }

    internal static (string[] A, string[] B, double[] Gold) ReadStsb(string path)
    {
        var a = new List<string>();
        var b = new List<string>();
        var g = new List<double>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split('\t');
            g.Add(double.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture));
            a.Add(f[5]);
            b.Add(f[6]);
        }
        return (a.ToArray(), b.ToArray(), g.ToArray());
    }

    internal static float[] Normalize(float[] v)
    {
        double n = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => (float)(x / Math.Max(n, 1e-12))).ToArray();
    }

    static double Cosine(float[] x, float[] y)
    {
        double d = 0, nx = 0, ny = 0;
        for (int i = 0; i < x.Length; i++) { d += (double)x[i] * y[i]; nx += (double)x[i] * x[i]; ny += (double)y[i] * y[i]; }
        return d / Math.Sqrt(nx * ny);
    }

    /// <summary>Spearman's rho: Pearson correlation of the ranks (ties get their average rank, as scipy.stats.spearmanr).</summary>
    internal static double Spearman(double[] x, double[] y)
    {
        var rx = Ranks(x);
        var ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.Length; i++) { sxy += (rx[i] - mx) * (ry[i] - my); sxx += (rx[i] - mx) * (rx[i] - mx); syy += (ry[i] - my) * (ry[i] - my); }
        return sxy / Math.Sqrt(sxx * syy);
    }

    static double[] Ranks(double[] v)
    {
        var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Length];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]]) j++;
            double r = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = r;
            i = j + 1;
        }
        return ranks;
    }
}
