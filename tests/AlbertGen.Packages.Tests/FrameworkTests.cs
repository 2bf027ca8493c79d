namespace AlbertGen.Packages.Tests;

/// <summary>An app on an older framework gets one clear error naming net10.0, not compile errors in generated code.</summary>
[Collection(PackageFeedCollection.Name)]
[Trait("Category", "Pack")]
public class FrameworkTests(PackageFeed feed)
{
    [Theory]
    [InlineData("AlbertGen", "NU1202")]      // lib/net10.0 only: NuGet refuses it at restore
    [InlineData("AlbertGen.Core", "ALBG100")] // framework-independent build assets: the package's targets refuse it
    public void A_net8_app_gets_an_error_naming_net10(string package, string code)
    {
        string app = feed.NewConsumerFolder("net8-" + package);
        File.WriteAllText(Path.Combine(app, "Old.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net8.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{package}" Version="{feed.Version}" />
                <AdditionalFiles Include="config.json" AlbertGen="true" />
              </ItemGroup>
            </Project>
            """);
        File.Copy(Path.Combine(PackageFeed.Fixture("tiny"), "config.json"), Path.Combine(app, "config.json"));
        File.WriteAllText(Path.Combine(app, "Program.cs"), "Console.WriteLine(1);\n");

        var r = Dotnet.TryRun(app, "build", "-c", "Release");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(code, r.Output, StringComparison.Ordinal);
        Assert.Contains("net10.0", r.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("CS0400", r.Output, StringComparison.Ordinal);
    }
}
