using Xunit.Abstractions;

namespace AlbertGen.Fuzz.Tests;

/// <summary>
/// One fuzz run per reader, then the committed regression inputs of each (tests/fixtures/fuzz/TARGET/). Each run prints
/// how many inputs it tried. CI: about 12 s a target; locally <c>ALBERTGEN_FUZZ_ITERATIONS=100000 dotnet test
/// tests/AlbertGen.Fuzz.Tests -c Release</c> (bench/RESULTS.md, "Fuzzing").
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Safetensors_reader_throws_only_its_errors() =>
        Fuzzer.Run(output, "safetensors", FuzzTargets.SafeTensorsInput, FuzzTargets.SafeTensorsCheck, FuzzTargets.SafeTensorsErrors);

    [Fact]
    public void Config_parser_throws_only_config_errors() =>
        Fuzzer.Run(output, "config", FuzzTargets.ConfigInput, FuzzTargets.ConfigCheck, FuzzTargets.ConfigErrors);

    [Fact]
    public void Inputs_parser_and_forward_throw_only_input_errors() =>
        Fuzzer.Run(output, "inputs", FuzzTargets.InputsInput, FuzzTargets.InputsCheck, FuzzTargets.InputErrors);

    [Fact]
    public void Tokenizer_folder_throws_only_tokenizer_errors() =>
        Fuzzer.Run(output, "tokenizer-folder", FuzzTargets.TokenizerFolderInput, FuzzTargets.TokenizerFolderCheck, FuzzTargets.TokenizerErrors);

    [Fact]
    public void Tokenizer_encodes_any_text() =>
        Fuzzer.Run(output, "text", FuzzTargets.TextInput, FuzzTargets.TextCheck, FuzzTargets.TextErrors);

    [Theory]
    [InlineData("safetensors")]
    [InlineData("config")]
    [InlineData("inputs")]
    [InlineData("tokenizer-folder")]
    [InlineData("text")]
    public void Committed_regression_inputs_pass(string target)
    {
        int n = target switch
        {
            "safetensors" => Fuzzer.Replay(target, FuzzTargets.SafeTensorsCheck, FuzzTargets.SafeTensorsErrors),
            "config" => Fuzzer.Replay(target, FuzzTargets.ConfigCheck, FuzzTargets.ConfigErrors),
            "inputs" => Fuzzer.Replay(target, FuzzTargets.InputsCheck, FuzzTargets.InputErrors),
            "tokenizer-folder" => Fuzzer.Replay(target, FuzzTargets.TokenizerFolderCheck, FuzzTargets.TokenizerErrors),
            _ => Fuzzer.Replay(target, FuzzTargets.TextCheck, FuzzTargets.TextErrors),
        };
        output.WriteLine($"{target}: {n} regression input(s)");
    }
}
