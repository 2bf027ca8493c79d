using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using AlbertGen.SafeTensors;

namespace AlbertGen.Tests;

/// <summary>Bad configs, weights and inputs give an exception that names the problem — never a crash or garbage.</summary>
public class BadInputTests
{
    static readonly string TinyConfig = File.ReadAllText(Path.Combine(Fixtures.Dir("tiny"), "config.json"));

    static string WithKey(string key, string jsonValue)
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(TinyConfig)!.AsObject();
        doc[key] = System.Text.Json.Nodes.JsonNode.Parse(jsonValue);
        return doc.ToJsonString();
    }

    [Theory]
    [InlineData("hidden_size", "30", "hidden_size", "multiple of num_attention_heads")]
    [InlineData("hidden_act", "\"gelu_magic\"", "hidden_act", "unknown activation")]
    [InlineData("position_embedding_type", "\"relative_key\"", "position_embedding_type", "relative_key")]
    [InlineData("num_hidden_layers", "0", "num_hidden_layers", "positive")]
    [InlineData("vocab_size", "-5", "vocab_size", "positive")]
    [InlineData("intermediate_size", "\"big\"", "intermediate_size", "expected an integer")]
    [InlineData("layer_norm_eps", "0", "layer_norm_eps", "positive")]
    [InlineData("problem_type", "\"ranking\"", "problem_type", "unknown value")]
    public void Invalid_config_names_the_key_and_the_file(string key, string value, string expectedKey, string messagePart)
    {
        var e = Assert.Throws<AlbertConfigException>(() => AlbertConfig.Parse(WithKey(key, value), "my/config.json"));
        Assert.Equal(expectedKey, e.Key);
        Assert.Contains("my/config.json", e.Message);
        Assert.Contains(messagePart, e.Message);
    }

    [Fact]
    public void Malformed_config_json_gives_the_line()
    {
        var e = Assert.Throws<AlbertConfigException>(() => AlbertConfig.Parse("{\n \"vocab_size\": 10,\n \"hidden_size\" 32\n}", "c.json"));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void Google_albert_config_is_accepted_with_gelu_meaning_the_tanh_form()
    {
        const string google = """
            {"attention_probs_dropout_prob": 0, "hidden_act": "gelu", "hidden_dropout_prob": 0, "embedding_size": 128,
             "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072, "max_position_embeddings": 512,
             "num_attention_heads": 12, "num_hidden_layers": 12, "num_hidden_groups": 1, "net_structure_type": 0,
             "gap_size": 0, "num_memory_blocks": 0, "inner_group_num": 1, "down_scale_factor": 1, "type_vocab_size": 2, "vocab_size": 30000}
            """;
        var c = AlbertConfig.Parse(google, "albert_config.json");
        Assert.True(c.IsGoogleFormat);
        Assert.Equal(ActivationKind.GeluTanh, c.Activation);
        Assert.Equal(768, c.HiddenSize);
    }

    [Fact]
    public void Missing_model_folder_and_files_are_reported()
    {
        Assert.Throws<DirectoryNotFoundException>(() => CpuAlbertModel.Load("/nonexistent/model"));
        using var dir = new TempDir();
        var model = dir.CopyFixture("tiny");
        File.Delete(Path.Combine(model, "model.safetensors"));
        var e = Assert.Throws<FileNotFoundException>(() => CpuAlbertModel.Load(model));
        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void Weights_that_do_not_fit_the_config_list_every_problem_by_hf_name()
    {
        using var dir = new TempDir();
        var model = dir.CopyFixture("tiny");
        string weights = Path.Combine(model, "model.safetensors");
        var tensors = new List<SafeTensorsWriter.Tensor>();
        using (var f = SafeTensorsFile.Open(weights))
        {
            foreach (var t in f.Tensors)
            {
                if (t.Name == "albert.pooler.bias") continue; // missing
                var data = f.ReadFloat32Array(t.Name);
                if (t.Name == "albert.encoder.albert_layer_groups.0.albert_layers.0.ffn.weight")
                    tensors.Add(new(t.Name, [t.Shape[0] - 1, t.Shape[1]], data.AsMemory(0, data.Length - t.Shape[1])));
                else
                    tensors.Add(new(t.Name, t.Shape, data));
            }
        }
        SafeTensorsWriter.Write(weights, tensors);
        var e = Assert.Throws<AlbertWeightException>(() => CpuAlbertModel.Load(model));
        Assert.Equal(2, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("missing tensor 'albert.pooler.bias'"));
        Assert.Contains(e.Problems, p => p.Contains("ffn.weight' has shape [36, 32], the config needs [37, 32]"));
    }

    [Fact]
    public void Truncated_weights_file_is_rejected()
    {
        using var dir = new TempDir();
        var model = dir.CopyFixture("tiny");
        string weights = Path.Combine(model, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes.AsSpan(0, bytes.Length - 100).ToArray());
        Assert.Throws<SafeTensorsException>(() => CpuAlbertModel.Load(model));
    }

    [Fact]
    public void Question_answering_needs_two_labels()
    {
        var c = AlbertConfig.Parse(WithKey("id2label", "{\"0\": \"a\", \"1\": \"b\", \"2\": \"c\"}"));
        var e = Assert.Throws<AlbertConfigException>(() => CpuAlbertModel.Load(c, Path.Combine(Fixtures.Dir("tiny"), "model.safetensors"), AlbertHead.QuestionAnswering));
        Assert.Equal("num_labels", e.Key);
    }

    public static TheoryData<string, string> BadInputs() => new()
    {
        { """{"input_ids": [[2, 5, 3], [2, 5]]}""", "ragged" },
        { """{"input_ids": [[2, 5, 99]]}""", "outside the vocabulary" },
        { """{"input_ids": [[2, -1, 3]]}""", "outside the vocabulary" },
        { """{"input_ids": [[2, 5, 3]], "attention_mask": [[1, 2, 1]]}""", "expected 0 or 1" },
        { """{"input_ids": [[2, 5, 3]], "attention_mask": [[1, 1]]}""", "attention_mask" },
        { """{"input_ids": [[2, 5, 3]], "token_type_ids": [[0, 2, 0]]}""", "type_vocab_size" },
        { """{"input_ids": [[2, 5, 3]], "input_mask": [[1, 1, 1]]}""", "unknown key 'input_mask'" },
        { """{"attention_mask": [[1]]}""", "'input_ids' is required" },
        { """{"input_ids": [[2, 5.5, 3]]}""", "integer" },
        { """{"input_ids": [[2, 5, 3]], "labels": [[-100, 120, -100]], "sentence_order_label": [0]}""", "not a class index" },
        { """{"input_ids": [[2, 5, 3]], "labels": [[-100, 5]], "sentence_order_label": [0]}""", "labels" },
        { """{"input_ids": [[2, 5, 3]], "labels": [[-100, 5, -100]], "sentence_order_label": [7]}""", "sentence_order_label" },
        { """{"input_ids": [[[2, 5, 3]]]}""", "multiple-choice" },
        { """[1, 2]""", "JSON object" },
        { """{"input_ids": [[2, 5""", "malformed JSON" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_inputs_name_the_problem(string json, string messagePart)
    {
        using var model = CpuAlbertModel.Load(Fixtures.Dir("tiny"));
        var e = Assert.Throws<AlbertInputException>(() => model.Forward(AlbertBatch.Parse(json)));
        Assert.Contains(messagePart, e.Message);
    }

    [Fact]
    public void Sequence_longer_than_max_position_embeddings_is_rejected()
    {
        using var model = CpuAlbertModel.Load(Fixtures.Dir("tiny"));
        var e = Assert.Throws<AlbertInputException>(() => model.Forward(new AlbertBatch(1, 65, new int[65])));
        Assert.Contains("max_position_embeddings", e.Message);
    }

    [Fact]
    public void Mlm_loss_with_every_label_ignored_is_nan_as_in_torch()
    {
        using var model = CpuAlbertModel.Load(Fixtures.Dir("masked-lm"));
        var output = model.Forward(AlbertBatch.Parse("""{"input_ids": [[2, 5, 3]], "labels": [[-100, -100, -100]]}"""));
        Assert.True(float.IsNaN(output.Loss!.Data[0]));
    }
}
