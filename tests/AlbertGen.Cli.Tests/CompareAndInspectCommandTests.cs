using System.Text.Json;

namespace AlbertGen.Cli.Tests;

public class CompareAndInspectCommandTests
{
    [Fact]
    public void Compare_passes_a_file_against_itself_and_fails_different_outputs()
    {
        string qa = Path.Combine(Cli.Fixture("qa"), "expected.safetensors");
        var same = Cli.Run("compare", qa, qa);
        Assert.Equal(0, same.ExitCode);
        Assert.EndsWith("4 passed, 0 failed", same.Stdout.TrimEnd());
        var different = Cli.Run("compare", Path.Combine(Cli.Fixture("tokcls"), "expected.safetensors"), qa);
        Assert.Equal(1, different.ExitCode);
        Assert.Contains("MISSING", different.Stdout); // tokcls has no start_logits
    }

    [Fact]
    public void Inspect_json_reports_the_paper_s_parameter_split()
    {
        var r = Cli.Run("inspect", "--model", Cli.Fixture("grouped"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("num_hidden_groups").GetInt32());
        // grouped: 2 groups × 2 inner layers stored, 5 layers × 2 inner computed
        Assert.Equal(root.GetProperty("layer_parameters").GetInt64() * 4, root.GetProperty("stored_layer_parameters").GetInt64());
        Assert.Equal(root.GetProperty("layer_parameters").GetInt64() * 10, root.GetProperty("unshared_layer_parameters").GetInt64());
        Assert.True(root.GetProperty("file_bytes").GetInt64() > 0);
    }

    [Fact]
    public void Inspect_of_a_missing_folder_exits_2()
    {
        var r = Cli.Run("inspect", "--model", "/no/such/model");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not found", r.Stderr);
    }
}
