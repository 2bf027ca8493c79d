using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Generators.Tests.Generated;
using AlbertGen.Model;

namespace AlbertGen.Generators.Tests;

/// <summary>
/// The classes generated at build time for the fixtures load the committed weights and compute what the CPU engine
/// and HF's reference computed (expected.safetensors, ≤ 1e-5 relative).
/// </summary>
public class CompileAndRunTests
{
    static AlbertBatch Inputs(string fixture) => AlbertBatch.Load(Path.Combine(Fixtures.Dir(fixture), "inputs.json"));

    static string Golden(string fixture) => Path.Combine(Fixtures.Dir(fixture), "expected.safetensors");

    [Fact]
    public void Tiny_typed_pretraining_forward_matches_engine_and_golden()
    {
        string dir = Fixtures.Dir("tiny");
        var batch = Inputs("tiny");
        using var model = TinyModel.Load(dir);
        using var engine = CpuAlbertModel.Load(dir);

        Assert.Equal(AlbertHead.PreTraining, model.Head);
        var typed = model.ForPreTraining(batch);
        var reference = engine.Forward(batch);

        Assert.Equal([batch.Rows, batch.SequenceLength, TinyModel.VocabSize], typed.PredictionLogits.Shape);
        Assert.Equal([batch.Rows, TinyModel.NumLabels], typed.SopLogits.Shape);
        Assert.Equal(reference.PredictionLogits!.Data, typed.PredictionLogits.Data);
        Assert.Equal(reference.LastHiddenState!.Data, typed.LastHiddenState.Data);
        Assert.NotNull(typed.Loss);
        Fixtures.AssertMatchesGolden(typed.Raw, Golden("tiny"));
    }

    [Fact]
    public void Tiny_constants_and_tables()
    {
        Assert.Equal(99, TinyModel.VocabSize);
        Assert.Equal(8, TinyModel.HeadSize);
        Assert.Equal(1e-12f, TinyModel.LayerNormEps);
        Assert.Equal("gelu_new", TinyModel.HiddenAct);
        Assert.Equal(ActivationKind.GeluTanh, TinyModel.Activation);
        Assert.Equal([0, 0, 0, 0], TinyModel.LayerGroups.ToArray());
        Assert.Equal([AlbertHead.PreTraining], TinyModel.Heads);
        Assert.Equal([0, 0, 0, 1, 1, 2, 2], Groups3Inner2.LayerGroups.ToArray());
        Assert.Equal([0, 0, 0, 1, 1], Grouped.LayerGroups.ToArray());
        Assert.Equal(AlbertHeads.All, Grouped.Heads);
    }

    [Fact]
    public void Typed_weights_are_the_mapped_tensors()
    {
        string dir = Fixtures.Dir("tiny");
        using var model = TinyModel.Load(dir);
        using var file = AlbertGen.SafeTensors.SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors"));
        var word = model.Weights.AlbertEmbeddingsWordEmbeddingsWeight;
        Assert.Equal(TinyModel.VocabSize * TinyModel.EmbeddingSize, word.Length);
        Assert.Equal(file.ReadFloat32Array("albert.embeddings.word_embeddings.weight"), word.ToArray());
        Assert.Equal(file.ReadFloat32Array("albert.encoder.albert_layer_groups.0.albert_layers.0.ffn.weight"),
            model.Weights.AlbertEncoderAlbertLayerGroups0AlbertLayers0FfnWeight.ToArray());
        Assert.Equal(TinyModel.NumLabels * TinyModel.HiddenSize, model.Weights.SopClassifierClassifierWeight.Length);
    }

    [Theory]
    [InlineData("grouped")]
    [InlineData("groups3-inner2")]
    [InlineData("masked-lm")]
    [InlineData("seqcls-single")]
    [InlineData("seqcls-multilabel")]
    [InlineData("tokcls")]
    [InlineData("qa")]
    [InlineData("multiple-choice")]
    [InlineData("pretraining-untied")]
    [InlineData("bare-names")]
    [InlineData("f16-weights")]
    public void Generated_model_as_backend_matches_golden(string fixture)
    {
        var type = GeneratedModels.All.Single(m => m.Fixture == fixture).Type;
        using var backend = (IAlbertBackend)type.GetMethod("Load", [typeof(string)])!.Invoke(null, [Fixtures.Dir(fixture)])!;
        Fixtures.AssertMatchesGolden(backend.Forward(Inputs(fixture)), Golden(fixture));
    }

    [Theory]
    [InlineData("tokcls")]
    [InlineData("multiple-choice")]
    [InlineData("tiny")]
    public void Generated_model_runs_the_engines_padding_free_forward(string fixture)
    {
        var type = GeneratedModels.All.Single(m => m.Fixture == fixture).Type;
        // declared by the class, not the interface's default (which would pad)
        Assert.NotNull(type.GetMethod("ForwardPacked", [typeof(AlbertPackedBatch)]));
        using var backend = (IAlbertBackend)type.GetMethod("Load", [typeof(string)])!.Invoke(null, [Fixtures.Dir(fixture)])!;
        using var engine = CpuAlbertModel.Load(Fixtures.Dir(fixture));
        var packed = AlbertPackedBatch.FromPadded(Inputs(fixture));
        var ours = backend.ForwardPacked(packed).Named().ToList();
        var reference = engine.ForwardPacked(packed).Named().ToList();
        Assert.Equal(reference.Select(kv => kv.Key), ours.Select(kv => kv.Key));
        for (int i = 0; i < ours.Count; i++)
        {
            Assert.Equal(reference[i].Value.Shape, ours[i].Value.Shape);
            Assert.Equal(reference[i].Value.Data, ours[i].Value.Data);
        }
        Assert.Equal(packed.Tokens, ours.Single(kv => kv.Key == "last_hidden_state").Value.Shape[0]);
    }

    [Theory]
    [InlineData("bin-zip", "tiny")]
    [InlineData("bin-legacy", "tiny")]
    [InlineData("bin-tied", "tiny")]
    [InlineData("bin-f16", "f16-weights")]
    public void Generated_model_loads_a_pytorch_model_bin_folder(string fixture, string twin)
    {
        // the folder has pytorch_model.bin only: the generated Load finds it as the CPU engine does
        var type = GeneratedModels.All.Single(m => m.Fixture == twin).Type;
        using var backend = (IAlbertBackend)type.GetMethod("Load", [typeof(string)])!.Invoke(null, [Fixtures.Dir(fixture)])!;
        Fixtures.AssertMatchesGolden(backend.Forward(Inputs(fixture)), Golden(fixture));
    }

    [Fact]
    public void Typed_heads_return_typed_results()
    {
        using (var m = MaskedLm.Load(Fixtures.Dir("masked-lm")))
        {
            var r = m.ForMaskedLM(Inputs("masked-lm"));
            Assert.Equal(MaskedLm.VocabSize, r.Logits.Shape[^1]);
        }
        using (var m = SeqclsSingle.Load(Fixtures.Dir("seqcls-single")))
        {
            var r = m.ForSequenceClassification(Inputs("seqcls-single"));
            Assert.Equal(SeqclsSingle.NumLabels, r.Logits.Shape[^1]);
            Assert.Contains(r.PredictedLabel(0), SeqclsSingle.Id2Label);
            Assert.Equal(["a", "b", "c"], SeqclsSingle.Id2Label);
        }
        using (var m = Qa.Load(Fixtures.Dir("qa")))
        {
            var r = m.ForQuestionAnswering([2, 10, 11, 3]);
            Assert.Equal([1, 4], r.StartLogits.Shape);
            Assert.Null(r.Loss);
        }
        using (var m = MultipleChoice.Load(Fixtures.Dir("multiple-choice")))
        {
            var r = m.ForMultipleChoice(Inputs("multiple-choice"));
            Assert.Equal(2, r.Logits.Rank);
        }
        using (var m = Grouped.Load(Fixtures.Dir("grouped")))
        {
            Assert.Equal(AlbertHead.Base, m.Head);
            var r = m.Encode([2, 10, 11, 3]);
            Assert.Equal([1, 4, Grouped.HiddenSize], r.LastHiddenState.Shape);
            Assert.Throws<InvalidOperationException>(() => m.ForMaskedLM([2, 10, 3]));
        }
    }

    [Fact]
    public void Load_lists_every_weight_problem_at_once()
    {
        // the masked-lm checkpoint has no pooler and no SOP classifier: loading it as the tiny pretraining model must name them all
        string file = Path.Combine(Fixtures.Dir("masked-lm"), "model.safetensors");
        var e = Assert.Throws<AlbertWeightException>(() => TinyModel.Load(file));
        Assert.Contains(e.Problems, p => p.Contains("albert.pooler.weight", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("sop_classifier.classifier.weight", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("has shape [83, 12], the config needs [99, 16]", StringComparison.Ordinal));
        Assert.True(e.Problems.Count > 5);
    }

    [Fact]
    public void Load_rejects_a_head_the_config_does_not_offer()
    {
        var e = Assert.Throws<ArgumentException>(() => TinyModel.Load(Fixtures.Dir("tiny"), AlbertHead.MaskedLM));
        Assert.Contains("offers the heads PreTraining, not MaskedLM", e.Message, StringComparison.Ordinal);
    }
}
