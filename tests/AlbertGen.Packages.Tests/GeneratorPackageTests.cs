using System.IO.Compression;

namespace AlbertGen.Packages.Tests;

/// <summary>
/// AlbertGen.Core carries the generator: a fresh consumer with one PackageReference and one AdditionalFiles item builds
/// (XML docs on, warnings as errors) and runs the generated model.
/// </summary>
[Collection(PackageFeedCollection.Name)]
[Trait("Category", "Pack")]
public class GeneratorPackageTests(PackageFeed feed)
{
    [Fact]
    public void Core_package_carries_the_generator_and_its_props()
    {
        string nupkg = Path.Combine(feed.Feed, $"AlbertGen.Core.{feed.Version}.nupkg");
        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("analyzers/dotnet/cs/AlbertGen.Generators.dll", entries);
        Assert.Contains("build/AlbertGen.Core.props", entries);
        Assert.Contains("buildTransitive/AlbertGen.Core.props", entries);
        Assert.Contains("buildTransitive/AlbertGen.Core.targets", entries);
        Assert.Contains("lib/net10.0/AlbertGen.Core.dll", entries);
        Assert.Contains("lib/net10.0/AlbertGen.Core.xml", entries);
        Assert.Contains("README.md", entries);
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        string text = nuspec.ReadToEnd();
        Assert.DoesNotContain("AlbertGen.Generators", text, StringComparison.Ordinal); // not a package dependency
        Assert.Contains("<license type=\"expression\">MIT</license>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fresh_consumer_of_the_umbrella_package_builds_a_generated_model_and_runs_it()
    {
        string app = feed.NewConsumerFolder("generated");
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
                <NoWarn>$(NoWarn);CS1591</NoWarn>
                <RootNamespace>Consumer</RootNamespace>
                <AlbertGenCopyDefaultModels>false</AlbertGenCopyDefaultModels>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AlbertGen" Version="{feed.Version}" />
                <AdditionalFiles Include="models/tiny/config.json" AlbertGen="true" />
              </ItemGroup>
            </Project>
            """);
        Directory.CreateDirectory(Path.Combine(app, "models", "tiny"));
        File.Copy(Path.Combine(PackageFeed.Fixture("tiny"), "config.json"), Path.Combine(app, "models", "tiny", "config.json"));
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Consumer;
            using var model = Tiny.Load(args[0]);
            var result = model.ForPreTraining([2, 5, 4, 71, 3]);
            Console.WriteLine($"hidden={Tiny.HiddenSize} logits=[{string.Join(",", result.PredictionLogits.Shape)}]");
            Console.WriteLine($"models copied: {Directory.Exists(Path.Combine(AppContext.BaseDirectory, "models"))}");
            """);

        Dotnet.Run(app, "build", "-c", "Release");
        string output = Dotnet.Run(app, "run", "--no-build", "-c", "Release", "--", PackageFeed.Fixture("tiny"));
        Assert.Contains("hidden=32 logits=[1,5,99]", output, StringComparison.Ordinal);
        Assert.Contains("models copied: False", output, StringComparison.Ordinal); // AlbertGenCopyDefaultModels=false
    }
}
