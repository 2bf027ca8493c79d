using AlbertGen.Tokenization;
using AlbertGen.Tasks.Pretraining;
using Xunit;

namespace AlbertGen.Tasks.Tests;

public class CorpusBatchSourceTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "albertgen-corpus-" + Guid.NewGuid().ToString("N"));
    static readonly AlbertTokenizer Tok = AlbertTokenizer.FromSentencePiece(Path.Combine(AppContext.BaseDirectory, "fixtures", "pipeline-mlm", "spiece.model"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Two "books" whose words never overlap: every instance belongs to exactly one of them.</summary>
    string[] Books()
    {
        Directory.CreateDirectory(_dir);
        string Book(string name, string word)
        {
            var lines = Enumerable.Range(0, 60).Select(i => string.Join(' ', Enumerable.Repeat(word, 5 + i % 7)) + ". " + string.Join(' ', Enumerable.Repeat(word, 4)) + ".");
            string path = Path.Combine(_dir, name);
            File.WriteAllLines(path, lines);
            return path;
        }
        return [Book("a.txt", "house"), Book("b.txt", "water")];
    }

    static readonly PretrainingDataOptions Options = new() { MaxSeqLength = 32, Seed = 5 };

    [Fact]
    public void Batches_mix_documents_and_are_deterministic_per_step()
    {
        var books = Books();
        var source = new CorpusBatchSource(Tok, books, Options, batchSize: 16);
        int house = Tok.TokenizeToSpans("house")[0].Id, water = Tok.TokenizeToSpans("water")[0].Id;
        var first = source.BatchFor(0);
        bool hasHouse = false, hasWater = false;
        for (int r = 0; r < first.Rows; r++)
        {
            var row = first.InputIds.AsSpan(r * first.SequenceLength, first.SequenceLength);
            hasHouse |= row.Contains(house);
            hasWater |= row.Contains(water);
        }
        Assert.True(hasHouse && hasWater, "the first batch should hold instances of both books (shuffle buffer)");

        var again = new CorpusBatchSource(Tok, books, Options, batchSize: 16);
        var b3 = source.BatchFor(3);
        Assert.Equal(again.BatchFor(3).InputIds, b3.InputIds); // random access (resume) = sequential
        Assert.Equal(source.BatchFor(3).InputIds, b3.InputIds);  // and replayable
    }

    [Fact]
    public void An_empty_corpus_is_a_clear_error()
    {
        Directory.CreateDirectory(_dir);
        string empty = Path.Combine(_dir, "empty.txt");
        File.WriteAllText(empty, "\n\n");
        var e = Assert.Throws<AlbertGen.Model.AlbertInputException>(() => new CorpusBatchSource(Tok, [empty], Options, 4));
        Assert.Contains("no training instances", e.Message);
    }
}
