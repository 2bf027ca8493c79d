using AlbertGen.Checkpoints;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.SafeTensors;
using AlbertGen.Tests;
using AlbertGen.Tokenization;

namespace AlbertGen.Conversion.Tests;

/// <summary>
/// <see cref="BertToAlbert"/> on a tiny random BERT (scripts/make_bert_fixtures.py): the converted ALBERT's outputs
/// against an independent numpy BERT forward (HF modeling_bert.py), from the HF folder and from torch.onnx.export's graph.
/// </summary>
public sealed class BertConversionTests
{
    static AlbertOutput RunConverted(string dir, AlbertHead? head = null)
    {
        using var model = CpuAlbertModel.Load(dir, head);
        return model.Forward(AlbertBatch.Load(Path.Combine(Fixtures.Dir("bert/tiny"), "inputs.json")));
    }

    [Fact]
    public void HfBertFolderConvertsToTheSameFunction()
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("albert");
        var r = BertToAlbert.Convert(Fixtures.Dir("bert/tiny"), outDir);
        Assert.Empty(r.LeftOut);
        Fixtures.AssertMatches(RunConverted(outDir), Path.Combine(Fixtures.Dir("bert/tiny"), "expected.safetensors"));
    }

    [Fact]
    public void OnnxGraphConvertsToTheSameFunction()
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("albert");
        var r = BertToAlbert.Convert(Path.Combine(Fixtures.Dir("bert/onnx"), "model.onnx"), outDir);
        Assert.Empty(r.LeftOut);
        Assert.Contains("vocab.txt", r.CopiedFiles);
        // sizes, heads, epsilon and activation read from the graph alone (no config.json beside it)
        var c = AlbertConfig.Load(outDir);
        Assert.Equal((32, 32, 2, 2, 1, 4, 37, 40, 64, 2), (c.HiddenSize, c.EmbeddingSize, c.NumHiddenLayers, c.NumHiddenGroups, c.InnerGroupNum, c.NumAttentionHeads, c.IntermediateSize, c.VocabSize, c.MaxPositionEmbeddings, c.TypeVocabSize));
        Assert.Equal(("gelu", 1e-12f), (c.HiddenAct, c.LayerNormEps));
        Fixtures.AssertMatches(RunConverted(outDir), Path.Combine(Fixtures.Dir("bert/tiny"), "expected.safetensors"));
    }

    [Fact]
    public void OptimumStyleFolderUsesItsConfigWithTheGraph()
    {
        // model.onnx + config.json (model_type bert) and no HF weights file, as optimum exports
        using var tmp = new TempDir();
        string src = tmp.File("optimum");
        Directory.CreateDirectory(src);
        File.Copy(Path.Combine(Fixtures.Dir("bert/onnx"), "model.onnx"), Path.Combine(src, "model.onnx"));
        File.Copy(Path.Combine(Fixtures.Dir("bert/tiny"), "config.json"), Path.Combine(src, "config.json"));
        Assert.True(BertToAlbert.IsBertSource(src));
        var r = BertToAlbert.Convert(src, tmp.File("albert"));
        Assert.EndsWith("model.onnx", r.Source, StringComparison.Ordinal);
        Fixtures.AssertMatches(RunConverted(tmp.File("albert")), Path.Combine(Fixtures.Dir("bert/tiny"), "expected.safetensors"));
        Assert.False(BertToAlbert.IsBertSource(Fixtures.Dir("tiny"))); // an ALBERT folder is not a BERT source
    }

    [Fact]
    public void ConvertedFolderIsAPlainAlbertFolder()
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("albert");
        BertToAlbert.Convert(Fixtures.Dir("bert/tiny"), outDir);
        string json = File.ReadAllText(Path.Combine(outDir, "config.json"));
        Assert.Contains("\"model_type\": \"albert\"", json, StringComparison.Ordinal);
        Assert.Contains("\"AlbertModel\"", json, StringComparison.Ordinal);
        using var file = SafeTensorsFile.Open(Path.Combine(outDir, "model.safetensors"));
        var map = file.ReadFloat32Array("albert.encoder.embedding_hidden_mapping_in.weight");
        for (int i = 0; i < 32; i++)
            for (int j = 0; j < 32; j++)
                Assert.Equal(i == j ? 1f : 0f, map[i * 32 + j]);
        Assert.All(file.ReadFloat32Array("albert.encoder.embedding_hidden_mapping_in.bias"), v => Assert.Equal(0f, v));
        Assert.True(file.Contains("albert.encoder.albert_layer_groups.1.albert_layers.0.ffn.weight"));
        Assert.False(file.Contains("albert.encoder.albert_layer_groups.2.albert_layers.0.ffn.weight"));
    }

    [Fact]
    public void PrefixedGammaBetaCheckpointConvertsAlike()
    {
        // BertForMaskedLM-style names (bert. prefix) and TF-era LayerNorm.gamma/beta, as HF renames them on load
        using var tmp = new TempDir();
        string src = tmp.CopyFixture("bert/tiny");
        RewriteWeights(src, name =>
        {
            string n = "bert." + name;
            return n.EndsWith("LayerNorm.weight", StringComparison.Ordinal) ? n[..^6] + "gamma"
                : n.EndsWith("LayerNorm.bias", StringComparison.Ordinal) ? n[..^4] + "beta" : n;
        });
        string outDir = tmp.File("albert");
        BertToAlbert.Convert(src, outDir);
        Fixtures.AssertMatches(RunConverted(outDir), Path.Combine(Fixtures.Dir("bert/tiny"), "expected.safetensors"));
    }

    [Fact]
    public void PoolerlessBertLoadsWithoutPoolerOutput()
    {
        using var tmp = new TempDir();
        string src = tmp.CopyFixture("bert/tiny");
        RewriteWeights(src, name => name.StartsWith("pooler.", StringComparison.Ordinal) ? null : name);
        string outDir = tmp.File("albert");
        BertToAlbert.Convert(src, outDir);
        var output = RunConverted(outDir);
        Assert.Null(output.PoolerOutput);
        using var expected = SafeTensorsFile.Open(Path.Combine(Fixtures.Dir("bert/tiny"), "expected.safetensors"));
        double err = Fixtures.RelativeError(output.LastHiddenState!.Data, expected.ReadFloat32Array("last_hidden_state"));
        Assert.True(err <= 1e-5, $"last_hidden_state relative error {err:E2}");
        Assert.DoesNotContain(output.Named(), kv => kv.Key == "pooler_output" && kv.Value is not null);
    }

    [Fact]
    public void PoolerlessCheckpointStillFailsForHeadsThatNeedThePooler()
    {
        // only the bare AlbertModel may lack the pooler; a classifier reads it, so its absence stays an error naming it
        using var tmp = new TempDir();
        string src = tmp.CopyFixture("tiny");
        RewriteWeights(src, name => name.Contains("pooler.", StringComparison.Ordinal) ? null : name);
        var config = AlbertConfig.Load(src);
        var e = Assert.Throws<AlbertWeightException>(() => AlbertCheckpoint.Open(config, Path.Combine(src, "model.safetensors"), AlbertHead.SequenceClassification).Dispose());
        Assert.Contains("missing tensor 'albert.pooler.weight'", e.Message, StringComparison.Ordinal);
        using var ckpt = AlbertCheckpoint.Open(config, Path.Combine(src, "model.safetensors"), AlbertHead.Base);
        Assert.False(ckpt.HasPooler);
        // one of the two pooler tensors alone is a broken file, not an encoder-only export
        string half = tmp.CopyFixture("grouped");
        RewriteWeights(half, name => name.EndsWith("pooler.bias", StringComparison.Ordinal) ? null : name);
        var e2 = Assert.Throws<AlbertWeightException>(() => AlbertCheckpoint.Open(AlbertConfig.Load(half), Path.Combine(half, "model.safetensors"), AlbertHead.Base).Dispose());
        Assert.Contains("pooler.bias", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PoolerlessAlbertMatchesTheReferenceLastHiddenState()
    {
        // the tiny fixture's golden last_hidden_state (albert_ref.py) holds without the pooler weights
        using var tmp = new TempDir();
        string src = tmp.CopyFixture("tiny");
        RewriteWeights(src, name => name.Contains("pooler.", StringComparison.Ordinal) ? null : name);
        using var model = CpuAlbertModel.Load(src, AlbertHead.Base);
        var b = AlbertBatch.Load(Path.Combine(src, "inputs.json"));
        var output = model.Forward(new AlbertBatch(b.Rows, b.SequenceLength, b.InputIds, b.AttentionMask, b.TokenTypeIds));
        Assert.Null(output.PoolerOutput);
        using var expected = SafeTensorsFile.Open(Path.Combine(src, "expected.safetensors"));
        double err = Fixtures.RelativeError(output.LastHiddenState!.Data, expected.ReadFloat32Array("last_hidden_state"));
        Assert.True(err <= 1e-5, $"last_hidden_state relative error {err:E2}");
    }

    [Fact]
    public void CrlfBomVocabLoadsAsHfReadsIt()
    {
        // bert-tiny's vocab.txt is written with a UTF-8 BOM and CRLF line ends; ids are line numbers as in HF load_vocab
        var tok = AlbertTokenizer.FromModelDirectory(Fixtures.Dir("bert/tiny"));
        Assert.Equal(40, tok.VocabSize);
        Assert.Equal([3, 6, 7, 8, 9, 4], tok.Encode("The sea was calm").Ids);
        Assert.Equal([3, 2, 4], tok.Encode("zebra").Ids); // [UNK] found: id 2
    }

    [Theory]
    [InlineData("\uFEFF[PAD]\r\n[UNK]\r\nfoo\r\n")]
    [InlineData("[PAD]\r[UNK]\rfoo\r")]
    [InlineData("[PAD]\n[UNK]\r\nfoo")]
    public void VocabLineEndsFollowPythonUniversalNewlines(string text)
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("vocab.txt"), text, new System.Text.UTF8Encoding(false));
        var v = AlbertGen.Tokenization.WordPiece.WordPieceVocab.Load(tmp.File("vocab.txt"));
        Assert.Equal(3, v.Count);
        Assert.Equal(["[PAD]", "[UNK]", "foo"], Enumerable.Range(0, 3).Select(i => v[i]));
    }

    [Fact]
    public void NonBertFolderIsRefusedNamingTheKey()
    {
        var e = Assert.Throws<AlbertConfigException>(() => BertToAlbert.Convert(Fixtures.Dir("tiny"), Path.GetTempPath()));
        Assert.Contains("model_type", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RelativePositionBertIsRefused()
    {
        using var tmp = new TempDir();
        string src = tmp.CopyFixture("bert/tiny");
        string cfg = Path.Combine(src, "config.json");
        File.WriteAllText(cfg, File.ReadAllText(cfg).Replace("\"absolute\"", "\"relative_key\"", StringComparison.Ordinal));
        var e = Assert.Throws<AlbertConfigException>(() => BertToAlbert.Convert(src, tmp.File("out")));
        Assert.Contains("position_embedding_type", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Rewrites a folder's model.safetensors with renamed tensors (null drops one).</summary>
    internal static void RewriteWeights(string dir, Func<string, string?> rename)
    {
        string path = Path.Combine(dir, "model.safetensors");
        var tensors = new List<SafeTensorsWriter.Tensor>();
        using (var f = SafeTensorsFile.Open(path))
        {
            foreach (var e in f.Tensors)
                if (rename(e.Name) is { } n)
                    tensors.Add(new SafeTensorsWriter.Tensor(n, e.Shape.ToArray(), f.ReadFloat32Array(e.Name)));
        }
        SafeTensorsWriter.Write(path, tensors);
    }
}
