namespace AlbertGen.Packages.Tests;

/// <summary>The CLI as a .NET tool: installed from the feed into a tool path, it runs the default model.</summary>
[Collection(PackageFeedCollection.Name)]
[Trait("Category", "Pack")]
public class ToolPackageTests(PackageFeed feed)
{
    [Fact]
    public void The_tool_installs_and_fills_a_mask_with_its_default_model()
    {
        string dir = feed.NewConsumerFolder("tool");
        string tools = Path.Combine(dir, "tools");
        Dotnet.Run(dir, "tool", "install", "AlbertGen.Tool", "--version", feed.Version, "--tool-path", tools, "--configfile", Path.Combine(dir, "nuget.config"));
        var r = Dotnet.Exec(Path.Combine(tools, "albertgen"), dir, "fill-mask", "--json", "The [MASK] was bright.");
        Assert.True(r.ExitCode == 0, r.Output);
        var expected = Dotnet.TryRun(dir, PackageFeed.CliDll, "fill-mask", "--json", "The [MASK] was bright.");
        Assert.Equal(expected.Output.Trim(), r.Output.Trim());
    }
}
