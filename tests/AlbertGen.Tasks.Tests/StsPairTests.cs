using AlbertGen.Model;
using AlbertGen.Tasks.Distillation;
using AlbertGen.Tests;
using AlbertGen.Tokenization;

namespace AlbertGen.Tasks.Tests;

/// <summary>The STS benchmark pair reader (albertize --pairs), the pair batches, and the committed STS-B train/dev copies.</summary>
public sealed class StsPairTests : IDisposable
{
    readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    string Write(string name, string text)
    {
        string path = _tmp.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Reads_the_sts_benchmark_layout_with_header_crlf_and_license_columns()
    {
        string path = Write("pairs.tsv",
            "genre\tfilename\tyear\tindex\tscore\tsentence1\tsentence2\tsource1\tsource2\n" +
            "main-captions\tMSRvid\t2012test\t0001\t5.000\tA plane is taking off.\tAn air plane is taking off.\r\n" +
            "\n" +
            "main-forum\tdeft-forum\t2014\t0004\t0.8\t  Padded sentence one.  \tTwo\tsomebody\thttp://example.org/1\n");
        var pairs = StsPairReader.Read(path);
        Assert.Equal(2, pairs.Count);
        Assert.Equal(new SentencePair("A plane is taking off.", "An air plane is taking off.", 5.0), pairs[0]);
        Assert.Equal(new SentencePair("Padded sentence one.", "Two", 0.8), pairs[1]);
    }

    [Theory]
    [InlineData("g\tf\ty\ti\t3.0\tonly one sentence\n", "pairs.tsv:1: 6 TAB-separated columns")]
    [InlineData("g\tf\ty\ti\t2.0\ta\tb\ng\tf\ty\ti\tabc\ta\tb\n", "pairs.tsv:2: score 'abc' (column 5) is not a number in [0, 5]")]
    [InlineData("g\tf\ty\ti\t5.5\ta\tb\n", "pairs.tsv:1: score '5.5'")]
    [InlineData("g\tf\ty\ti\t-1\ta\tb\n", "pairs.tsv:1: score '-1'")]
    [InlineData("g\tf\ty\ti\tNaN\ta\tb\n", "pairs.tsv:1: score 'NaN'")]
    [InlineData("g\tf\ty\ti\t1\ta\t  \n", "pairs.tsv:1: sentence2 (column 7) is empty")]
    [InlineData("g\tf\ty\ti\t1\t\tb\n", "pairs.tsv:1: sentence1 (column 6) is empty")]
    [InlineData("genre\tfilename\tyear\tindex\tscore\tsentence1\tsentence2\n", "pairs.tsv: no sentence pairs")]
    [InlineData("", "pairs.tsv: no sentence pairs")]
    [InlineData("a sentence per line is not a pair file\n", "pairs.tsv:1: 1 TAB-separated columns")]
    public void A_bad_file_is_refused_naming_file_line_and_problem(string text, string expected)
    {
        string path = Write("pairs.tsv", text);
        var e = Assert.Throws<AlbertInputException>(() => StsPairReader.Read(path));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<FileNotFoundException>(() => StsPairReader.Read(_tmp.File("absent.tsv")));
        Assert.Contains("absent.tsv", e.Message);
    }

    [Fact]
    public void Batches_visit_every_pair_once_per_epoch_in_a_seeded_order()
    {
        var pairs = Enumerable.Range(0, 10).Select(i => new SentencePair($"first {i}", $"second {i}", i % 6)).ToList();
        var tok = AlbertTokenizer.FromModelDirectory(Fixtures.Dir("pipeline-mlm"));
        var source = new PairBatchSource(tok, pairs, 4, 16, seed: 5);
        // 10 pairs, 4 a step: steps 0-1 and half of 2 are epoch 0, the rest of 2 starts epoch 1
        var epoch0 = Enumerable.Range(0, 3).SelectMany(s => source.PairsFor(s)).Take(10).ToList();
        Assert.Equal(pairs.OrderBy(p => p.A), epoch0.OrderBy(p => p.A));
        Assert.NotEqual(pairs, epoch0); // shuffled
        var epoch1 = Enumerable.Range(0, 5).SelectMany(s => source.PairsFor(s)).Skip(10).Take(10).ToList();
        Assert.Equal(pairs.OrderBy(p => p.A), epoch1.OrderBy(p => p.A));
        Assert.NotEqual(epoch0, epoch1);

        // deterministic in (seed, step), in any order of asking
        var again = new PairBatchSource(tok, pairs, 4, 16, seed: 5);
        Assert.Equal(source.PairsFor(3), again.PairsFor(3));
        Assert.Equal(source.PairsFor(0), again.PairsFor(0));
        Assert.NotEqual(source.PairsFor(0), new PairBatchSource(tok, pairs, 4, 16, seed: 6).PairsFor(0));

        // rows: the B first sentences, then the B second ones
        var (batch, scores) = source.BatchFor(1);
        var expected = source.PairsFor(1);
        Assert.Equal(8, batch.BatchSize);
        Assert.Equal(expected.Select(p => (float)p.Score), scores);
        var firstRow = tok.Encode(expected[0].A, maxLength: 16).Ids;
        var pairRow = tok.Encode(expected[0].B, maxLength: 16).Ids;
        Assert.Equal(firstRow, batch.InputIds.Take(firstRow.Length));
        Assert.Equal(pairRow, batch.InputIds.Skip(4 * batch.SequenceLength).Take(pairRow.Length));
    }

    [Fact]
    public void Batches_are_bucketed_by_length_and_pad_less_than_a_plain_shuffle()
    {
        var rng = new Random(1);
        var pairs = Enumerable.Range(0, 400).Select(i => new SentencePair(new string('a', 1 + rng.Next(80)), "b", 1)).ToList();
        var tok = AlbertTokenizer.FromModelDirectory(Fixtures.Dir("pipeline-mlm"));
        var source = new PairBatchSource(tok, pairs, 8, 16, seed: 2);
        var steps = Enumerable.Range(0, 50).Select(s => source.PairsFor(s)).ToList();
        Assert.Equal(pairs.Select(p => p.A).Order(), steps.SelectMany(b => b).Select(p => p.A).Order()); // one epoch, every pair once
        int bucketed = steps.Sum(b => b.Max(p => p.A.Length) * b.Count);
        var shuffled = pairs.ToArray();
        new Random(3).Shuffle(shuffled);
        int plain = shuffled.Chunk(8).Sum(b => b.Max(p => p.A.Length) * b.Length);
        Assert.True(bucketed < 0.6 * plain, $"padded characters: bucketed {bucketed}, plain shuffle {plain}");
        // the batch order is not sorted: lengths go up and down
        var maxima = steps.Select(b => b.Max(p => p.A.Length)).ToList();
        Assert.Contains(maxima.Zip(maxima.Skip(1)), p => p.First > p.Second);
    }

    /// <summary>
    /// data/sts holds the STS benchmark train and dev splits (docs: data/sts/README.md) less the pairs that also occur
    /// in the test split; they load, have the documented counts, and share no pair with the test split where the
    /// workplace's copy of it is present.
    /// </summary>
    [Fact]
    public void Committed_sts_train_and_dev_load_and_share_no_pair_with_the_test_split()
    {
        string? root = RepoRoot();
        Assert.True(root is not null, "repository root (AlbertGen.sln) not found above the test binary");
        var train = StsPairReader.Read(Path.Combine(root!, "data", "sts", "sts-train.tsv"));
        var dev = StsPairReader.Read(Path.Combine(root!, "data", "sts", "sts-dev.tsv"));
        Assert.Equal(5732, train.Count);
        Assert.Equal(1497, dev.Count);
        string? test = null;
        for (var d = new DirectoryInfo(root!); d is not null && test is null; d = d.Parent)
        {
            string c = Path.Combine(d.FullName, "shared", "data", "tasks", "STS-B", "test.tsv");
            if (File.Exists(c)) test = c;
        }
        if (test is null) return;
        var testPairs = StsPairReader.Read(test);
        Assert.Equal(1379, testPairs.Count);
        var keys = testPairs.SelectMany(p => new[] { (p.A, p.B), (p.B, p.A) }).ToHashSet();
        var leaked = train.Concat(dev).Where(p => keys.Contains((p.A, p.B))).ToList();
        Assert.True(leaked.Count == 0, $"{leaked.Count} train/dev pairs are test pairs, e.g. {leaked.FirstOrDefault()}");
    }

    static string? RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "AlbertGen.sln"))) return d.FullName;
        return null;
    }
}
