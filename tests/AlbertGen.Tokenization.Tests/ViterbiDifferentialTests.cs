using System.IO.Compression;
using System.Text;
using System.Text.Json;
using AlbertGen.Tokenization.SentencePiece;
using Xunit;
using Xunit.Abstractions;

namespace AlbertGen.Tokenization.Tests;

/// <summary>
/// Raw sentencepiece against the library on models and strings chosen for Viterbi ties (runs such as "ppp",
/// "-444", ",000", digits with commas, user-defined symbols, byte fallback, nmt_nfkc and nfkc):
/// scripts/make_viterbi_fixtures.py.
/// </summary>
public class ViterbiDifferentialTests(ITestOutputHelper output)
{
    private static readonly Lazy<string[]> Lines = new(() =>
        Fixtures.ReadJsonLines("viterbi/lines.jsonl.gz").Select(e => e.GetString()!).ToArray());

    internal static SentencePieceModel LoadModel(string name)
    {
        using var gz = new GZipStream(File.OpenRead(Fixtures.PathOf($"viterbi/{name}.model.gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return SentencePieceModel.FromBytes(ms.ToArray());
    }

    [Theory]
    [InlineData("ud400_nmt")]
    [InlineData("bf600_nfkc")]
    [InlineData("u250_nmt")]
    [InlineData("u1200_nfkc_nodummy")]
    public void EveryLine_MatchesTheLibrary(string model)
    {
        var sp = LoadModel(model);
        var lines = Lines.Value;
        var failures = new StringBuilder();
        int n = 0, bad = 0;
        foreach (var row in Fixtures.ReadJsonLines($"viterbi/{model}.jsonl.gz"))
        {
            string text = lines[n++];
            var tokens = sp.Encode(text);
            var pieces = tokens.Select(t => t.Piece).ToArray();
            var wantPieces = Fixtures.Strings(row.GetProperty("pieces"));
            if (!tokens.Select(t => t.Id).SequenceEqual(Fixtures.Ints(row.GetProperty("ids"))) || !pieces.SequenceEqual(wantPieces))
            {
                if (++bad <= 5)
                {
                    failures.AppendLine($"line {n - 1} {JsonSerializer.Serialize(text)}:\n  got  {string.Join(' ', pieces)}\n  want {string.Join(' ', wantPieces)}");
                }
            }
        }
        output.WriteLine($"{model}: {n - bad}/{n} lines exact ({100.0 * (n - bad) / n:F2} %)");
        Assert.Equal(lines.Length, n);
        Assert.True(bad == 0, $"{model}: {bad} of {n} lines differ:\n{failures}");
    }
}
