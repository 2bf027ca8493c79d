using AlbertGen.Config;
using AlbertGen.Model;
using AlbertGen.SafeTensors;

namespace AlbertGen.Tests;

public class ParameterCountTests
{
    [Theory]
    [InlineData("tiny")]
    [InlineData("grouped")]
    [InlineData("groups3-inner2")]
    [InlineData("qa")]
    [InlineData("multiple-choice")]
    [InlineData("pretraining-untied")]
    public void Total_equals_the_elements_stored_by_the_reference(string fixture)
    {
        string dir = Fixtures.Dir(fixture);
        var config = AlbertConfig.Load(dir);
        using var file = SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors"));
        long stored = file.Tensors.Sum(t => t.ElementCount);
        Assert.Equal(stored, AlbertParameterCount.For(config, config.DefaultHead).Total);
    }

    [Fact]
    public void Albert_base_v2_has_the_published_11_7M_parameters_and_the_paper_s_savings()
    {
        var c = AlbertConfig.Parse("""
            {"vocab_size": 30000, "embedding_size": 128, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
             "intermediate_size": 3072, "max_position_embeddings": 512, "type_vocab_size": 2}
            """);
        var p = AlbertParameterCount.For(c, AlbertHead.Base);
        Assert.Equal(11_683_584, p.Total); // HF AlbertModel.from_pretrained("albert-base-v2").num_parameters()
        Assert.Equal(30000L * 768, p.UnfactorizedVocabulary);
        Assert.Equal(12 * p.StoredLayers, p.UnsharedEquivalent);
    }
}
