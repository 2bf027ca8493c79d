using BenchmarkDotNet.Attributes;
using AlbertGen.Tokenization;

namespace AlbertGen.Bench;

/// <summary>
/// Batch encoding throughput of the SentencePiece ALBERT tokenizer (u3000 fixture model) over 2000
/// paragraphs of ../shared/data/corpus (falls back to the tokenizer fixture lines when that folder is
/// missing). Tokens per second = <see cref="TokenCount"/> / mean time; GlobalSetup prints the count.
/// dotnet run -c Release --project bench/AlbertGen.Bench -- --filter '*Tokenizer*' --job short
/// </summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private AlbertTokenizer _spm = null!;
    private AlbertTokenizer _wordPiece = null!;
    private string[] _lines = [];

    public int TokenCount { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        string root = RepositoryRoot.Find();
        _spm = AlbertTokenizer.FromSentencePiece(Path.Combine(root, "tests/fixtures/tokenizer/u3000.model"));
        _wordPiece = AlbertTokenizer.FromVocab(Path.Combine(root, "tests/fixtures/tokenizer/zh/vocab.txt"));
        string corpus = Path.Combine(root, "..", "shared", "data", "corpus");
        IEnumerable<string> lines = Directory.Exists(corpus)
            ? Directory.EnumerateFiles(corpus, "*.txt").Order(StringComparer.Ordinal).SelectMany(File.ReadLines)
            : File.ReadLines(Path.Combine(root, "tests/fixtures/tokenizer/lines.jsonl")).Select(l => System.Text.Json.JsonSerializer.Deserialize<string>(l)!);
        _lines = lines.Where(l => l.Length > 0).Take(2000).ToArray();
        TokenCount = _spm.EncodeBatch(_lines, padding: PaddingStrategy.DoNotPad).Sum(e => e.Length);
        Console.WriteLine($"// {_lines.Length} lines, {_lines.Sum(l => l.Length)} chars, {TokenCount} SentencePiece tokens per operation");
    }

    [Benchmark]
    public int SentencePieceEncodeBatch() => _spm.EncodeBatch(_lines, padding: PaddingStrategy.DoNotPad).Count;

    [Benchmark]
    public int WordPieceEncodeBatch() => _wordPiece.EncodeBatch(_lines, padding: PaddingStrategy.DoNotPad).Count;
}
