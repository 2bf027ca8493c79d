using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlbertGen.Packages.Tests;

/// <summary>
/// README's "Use it from your app", exactly as written: its shell commands in a fresh folder (with a nuget.config that
/// points at the test feed), its Program.cs, <c>dotnet run</c>; the output must equal the CLI's on the same texts.
/// </summary>
[Collection(PackageFeedCollection.Name)]
[Trait("Category", "Pack")]
public class ReadmeAppTests(PackageFeed feed)
{
    static readonly string Readme = File.ReadAllText(Path.Combine(PackageFeed.RepoRoot, "README.md"));

    /// <summary>The fenced blocks of <paramref name="language"/> in README's section <paramref name="heading"/>.</summary>
    static List<string> Blocks(string heading, string language)
    {
        int start = Readme.IndexOf("\n## " + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README has no section '{heading}'");
        int end = Readme.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        string section = end < 0 ? Readme[start..] : Readme[start..end];
        return Regex.Matches(section, "```" + language + "\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
    }

    [Fact]
    public void The_readme_program_builds_from_the_package_and_prints_what_the_cli_prints()
    {
        string root = feed.NewConsumerFolder("readme");
        string commands = Blocks("Use it from your app", "bash")[0];
        var r = Dotnet.Exec("bash", root, "-euo", "pipefail", "-c", commands);
        Assert.True(r.ExitCode == 0, "README's commands failed:\n" + r.Output);
        string app = Path.Combine(root, "MyApp");
        string csproj = File.ReadAllText(Path.Combine(app, "MyApp.csproj"));
        Assert.Contains($"<PackageReference Include=\"AlbertGen\" Version=\"{feed.Version}\" />", csproj, StringComparison.Ordinal);
        Assert.Contains($"<PackageReference Include=\"AlbertGen\" Version=\"{feed.Version}\" />", Blocks("Use it from your app", "xml")[0], StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Blocks("Use it from your app", "csharp")[0]);

        Dotnet.Run(app, "build", "-c", "Release");
        string output = Dotnet.Run(app, "run", "--no-build", "-c", "Release");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        var inv = CultureInfo.InvariantCulture;
        using (var fill = JsonDocument.Parse(Cli("fill-mask", "--json", "The [MASK] was bright.")))
        {
            var expected = fill.RootElement.GetProperty("candidates").EnumerateArray()
                .Select(c => string.Format(inv, "fill-mask {0} {1:F6}", c.GetProperty("token").GetString(), c.GetProperty("score").GetSingle())).ToList();
            Assert.Equal(5, expected.Count);
            Assert.Equal(expected, lines.Where(l => l.StartsWith("fill-mask ", StringComparison.Ordinal)).ToList());
        }
        using (var cls = JsonDocument.Parse(Cli("classify", "--json", "a gripping, funny film")))
        {
            string expected = string.Format(inv, "classify {0} {1:F6}", cls.RootElement.GetProperty("label").GetString(), cls.RootElement.GetProperty("score").GetSingle());
            Assert.Contains(expected, lines);
        }
        using (var emb = JsonDocument.Parse(Cli("embed", "the sea was calm")))
        {
            var v = emb.RootElement.GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle()).ToArray();
            Assert.Contains(string.Format(inv, "embed {0} {1:F6} {2:F6}", v.Length, v[0], v[^1]), lines);
        }
    }

    static string Cli(params string[] args)
    {
        var r = Dotnet.TryRun(PackageFeed.RepoRoot, [PackageFeed.CliDll, .. args]);
        Assert.True(r.ExitCode == 0, "albertgen failed: " + r.Output);
        return r.Output.Trim();
    }
}
