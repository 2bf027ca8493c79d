using System.IO.Compression;
using System.Text.Json;

namespace AlbertGen.Tokenization.Tests;

/// <summary>Test data written by scripts/make_tokenizer_fixtures.py (copied next to the test assembly).</summary>
internal static class Fixtures
{
    private static readonly Lazy<string[]> LinesLazy = new(() =>
        File.ReadAllLines(PathOf("lines.jsonl")).Select(l => JsonSerializer.Deserialize<string>(l)!).ToArray());

    public static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer");

    public static string PathOf(string name) => Path.Combine(Dir, name);

    public static string[] Lines => LinesLazy.Value;

    public static IEnumerable<JsonElement> ReadJsonLines(string name)
    {
        Stream s = File.OpenRead(PathOf(name));
        if (name.EndsWith(".gz", StringComparison.Ordinal))
        {
            s = new GZipStream(s, CompressionMode.Decompress);
        }
        using var reader = new StreamReader(s);
        while (reader.ReadLine() is string line)
        {
            using var doc = JsonDocument.Parse(line);
            yield return doc.RootElement.Clone();
        }
    }

    public static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    public static string[] Strings(JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToArray();

    private static readonly Dictionary<string, SentencePieceAlbertTokenizer> Cache = [];

    /// <summary>The HF options each hf_*.jsonl.gz fixture was made with (see CONFIGS in the script).</summary>
    public static SentencePieceAlbertTokenizer Albert(string config)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(config, out var tok))
            {
                tok = config switch
                {
                    "u1000" => AlbertTokenizer.FromSentencePiece(PathOf("u1000.model")),
                    "u3000" => AlbertTokenizer.FromSentencePiece(PathOf("u3000.model")),
                    "u3000_cased" => AlbertTokenizer.FromSentencePiece(PathOf("u3000.model"),
                        new AlbertTokenizerOptions { DoLowerCase = false, KeepAccents = true, RemoveSpace = false }),
                    "bf2000" => AlbertTokenizer.FromSentencePiece(PathOf("bf2000.model")),
                    _ => throw new ArgumentException(config),
                };
                Cache[config] = tok;
            }
            return tok;
        }
    }
}
