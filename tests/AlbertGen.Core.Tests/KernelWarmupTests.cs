using AlbertGen.Config;
using AlbertGen.Cpu;

namespace AlbertGen.Tests;

/// <summary>
/// The load-time kernel warm-up (D43) runs one small layer of the model's shapes on its own buffers: it must work for
/// every activation and for shapes smaller than its 32 output columns and 16 rows, or larger than the GEMM's K block,
/// and leave the model's outputs unchanged (the golden tests run with it on: every CPU model load starts it).
/// </summary>
public class KernelWarmupTests
{
    [Theory]
    [InlineData("gelu", 32, 37, 4, 16)]
    [InlineData("gelu_new", 32, 37, 4, 16)]
    [InlineData("gelu_fast", 8, 8, 2, 4)]
    [InlineData("quick_gelu", 64, 128, 2, 64)]
    [InlineData("relu", 48, 96, 3, 24)]
    [InlineData("silu", 16, 40, 1, 16)]
    [InlineData("tanh", 16, 40, 4, 16)]
    [InlineData("sigmoid", 16, 40, 4, 16)]
    [InlineData("linear", 16, 40, 4, 16)]
    [InlineData("gelu", 64, 2048, 4, 32)] // K = I past the GEMM's 1536 K block
    public void Warmup_runs_for_every_activation_and_shape(string act, int hidden, int inner, int heads, int embedding)
    {
        var config = AlbertConfig.Parse($$"""
            {"model_type": "albert", "vocab_size": 50, "embedding_size": {{embedding}}, "hidden_size": {{hidden}},
             "num_hidden_layers": 2, "num_attention_heads": {{heads}}, "intermediate_size": {{inner}},
             "hidden_act": "{{act}}", "max_position_embeddings": 8}
            """);
        KernelWarmup.Run(config);
    }

    [Theory]
    [InlineData("gelu", 32, 37, 4, 16)]
    [InlineData("gelu", 64, 2048, 4, 32)]
    public void Warmup_runs_the_int8_kernels_of_a_quantized_model(string act, int hidden, int inner, int heads, int embedding)
    {
        var config = AlbertConfig.Parse($$"""
            {"model_type": "albert", "vocab_size": 50, "embedding_size": {{embedding}}, "hidden_size": {{hidden}},
             "num_hidden_layers": 2, "num_attention_heads": {{heads}}, "intermediate_size": {{inner}},
             "hidden_act": "{{act}}", "max_position_embeddings": 8,
             "quantization_config": {"quant_method": "albertgen-int8", "bits": 8} }
            """);
        Assert.NotNull(config.QuantizationMethod);
        KernelWarmup.Run(config);
    }

    [Fact]
    public void Warmup_is_on_under_the_jit()
    {
        // the test host sets no switch; a NativeAOT app has no JIT and skips it (RuntimeFeature.IsDynamicCodeCompiled)
        Assert.True(KernelWarmup.Enabled);
    }
}
