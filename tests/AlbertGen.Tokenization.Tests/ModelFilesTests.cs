using Xunit;
using System.IO.Compression;

namespace AlbertGen.Tokenization.Tests;

/// <summary>
/// <see cref="AlbertTokenizer.FromModelFiles"/> (the tokenizer an edge binary reads from its embedded files, D37) picks
/// the same format and options as <see cref="AlbertTokenizer.FromModelDirectory"/> on the same files, and encodes alike.
/// </summary>
public class ModelFilesTests
{
    static Dictionary<string, ReadOnlyMemory<byte>> FilesOf(string dir) =>
        Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), f => (ReadOnlyMemory<byte>)File.ReadAllBytes(f));

    static void AssertSameTokenizer(string dir)
    {
        var fromFolder = AlbertTokenizer.FromModelDirectory(dir);
        var fromFiles = AlbertTokenizer.FromModelFiles(FilesOf(dir), "embedded");
        Assert.Equal(fromFolder.GetType(), fromFiles.GetType());
        foreach (var line in Fixtures.Lines.Take(200).Append("Café ÉCOLE [MASK] 1,000 «» ü"))
        {
            var a = fromFolder.Encode(line);
            var b = fromFiles.Encode(line);
            Assert.Equal(a.Ids, b.Ids);
        }
    }

    [Fact]
    public void Spiece_with_config_files()
    {
        using var dir = new TempDir();
        File.Copy(Fixtures.PathOf("u3000.model"), Path.Combine(dir.Path, "spiece.model"));
        File.WriteAllText(Path.Combine(dir.Path, "tokenizer_config.json"), """{"do_lower_case": false, "keep_accents": true}""");
        File.WriteAllText(Path.Combine(dir.Path, "special_tokens_map.json"), """{"unk_token": "<unk>", "pad_token": "<pad>"}""");
        AssertSameTokenizer(dir.Path);
        var cased = (SentencePieceAlbertTokenizer)AlbertTokenizer.FromModelFiles(FilesOf(dir.Path), "embedded");
        Assert.False(cased.DoLowerCase);
    }

    [Fact]
    public void Tokenizer_json_wins_as_in_a_folder()
    {
        using var dir = new TempDir();
        using (var gz = new GZipStream(File.OpenRead(Fixtures.PathOf("json/u1000.tokenizer.json.gz")), CompressionMode.Decompress))
        using (var f = File.Create(Path.Combine(dir.Path, "tokenizer.json")))
            gz.CopyTo(f);
        File.Copy(Fixtures.PathOf("u1000.model"), Path.Combine(dir.Path, "spiece.model"));
        AssertSameTokenizer(dir.Path);
        Assert.IsType<FastAlbertTokenizer>(AlbertTokenizer.FromModelFiles(FilesOf(dir.Path), "embedded"));
    }

    [Fact]
    public void Vocab_txt_is_wordpiece()
    {
        using var dir = new TempDir();
        File.Copy(Fixtures.PathOf("zh/vocab.txt"), Path.Combine(dir.Path, "vocab.txt"));
        AssertSameTokenizer(dir.Path);
    }

    [Fact]
    public void No_tokenizer_file_names_the_source()
    {
        var e = Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromModelFiles(
            new Dictionary<string, ReadOnlyMemory<byte>> { ["config.json"] = "{}"u8.ToArray() }, "app!model"));
        Assert.Contains("app!model", e.Message);
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void Broken_spiece_names_the_file()
    {
        var e = Assert.Throws<TokenizerException>(() => AlbertTokenizer.FromModelFiles(
            new Dictionary<string, ReadOnlyMemory<byte>> { ["spiece.model"] = new byte[] { 0xff, 0xff, 0xff } }, "app!model"));
        Assert.Contains("app!model/spiece.model", e.Message);
    }
}
