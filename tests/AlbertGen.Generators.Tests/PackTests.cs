using System.Diagnostics;
using System.IO.Compression;

namespace AlbertGen.Generators.Tests;

/// <summary>
/// The NuGet package works for a fresh consumer: <c>dotnet pack</c> of Core into a temporary feed, then a new project
/// with one PackageReference and one AdditionalFiles item builds and runs the generated model. Runs dotnet three times
/// (~30 s on two cores); filter it out with <c>--filter Category!=Pack</c>.
/// </summary>
[Trait("Category", "Pack")]
public class PackTests
{
    static string RepoRoot => Path.GetFullPath(Path.Combine(GeneratorHarness.SourceDirectory(), "..", ".."));

    [Fact]
    public void Packed_core_carries_the_generator_and_a_fresh_consumer_builds_and_runs()
    {
        string root = Path.Combine(Path.GetTempPath(), "albertgen-pack-" + Guid.NewGuid().ToString("N")[..8]);
        string feed = Path.Combine(root, "feed");
        string app = Path.Combine(root, "consumer");
        try
        {
            Directory.CreateDirectory(app);
            // the package's own version: overriding it would rebuild Core's Release output under other tests' feet
            Dotnet(RepoRoot, "pack", "src/AlbertGen.Core/AlbertGen.Core.csproj", "-c", "Release", "-o", feed);

            string nupkg = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
            string version = Path.GetFileNameWithoutExtension(nupkg)["AlbertGen.Core.".Length..];
            using (var zip = ZipFile.OpenRead(nupkg))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("analyzers/dotnet/cs/AlbertGen.Generators.dll", entries);
                Assert.Contains("build/AlbertGen.Core.props", entries);
                Assert.Contains("buildTransitive/AlbertGen.Core.props", entries);
                Assert.Contains("lib/net10.0/AlbertGen.Core.dll", entries);
                using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
                Assert.DoesNotContain("AlbertGen.Generators", nuspec.ReadToEnd(), StringComparison.Ordinal); // not a package dependency
            }

            string packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <RootNamespace>Consumer</RootNamespace>
                    <!-- the temporary feed only, and a private package folder so no stale copy of the test package is reused -->
                    <RestoreSources>{feed}</RestoreSources>
                    <RestorePackagesPath>{Path.Combine(root, "packages")}</RestorePackagesPath>
                    <RestoreAdditionalProjectFallbackFolders>{packages}</RestoreAdditionalProjectFallbackFolders>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="AlbertGen.Core" Version="{version}" />
                    <AdditionalFiles Include="models/tiny/config.json" AlbertGen="true" />
                  </ItemGroup>
                </Project>
                """);
            Directory.CreateDirectory(Path.Combine(app, "models", "tiny"));
            File.Copy(Fixtures.Config("tiny"), Path.Combine(app, "models", "tiny", "config.json"));
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using Consumer;
                using var model = Tiny.Load(args[0]);
                var result = model.ForPreTraining([2, 5, 4, 71, 3]);
                Console.WriteLine($"hidden={Tiny.HiddenSize} logits=[{string.Join(",", result.PredictionLogits.Shape)}]");
                """);

            Dotnet(app, "build", "-c", "Release");
            string output = Dotnet(app, "run", "--no-build", "-c", "Release", "--", Fixtures.Dir("tiny"));
            Assert.Contains("hidden=32 logits=[1,5,99]", output, StringComparison.Ordinal);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    static string Dotnet(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        if (args[0] is "pack" or "build")
        {
            // one node, no lingering build servers: the machine is shared
            psi.ArgumentList.Add("-m:1");
            psi.ArgumentList.Add("--disable-build-servers");
            psi.ArgumentList.Add("-nologo");
        }
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)} timed out");
        }
        string output = stdout.Result + stderr.Result;
        Assert.True(p.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited with {p.ExitCode}:\n{output}");
        return output;
    }
}
