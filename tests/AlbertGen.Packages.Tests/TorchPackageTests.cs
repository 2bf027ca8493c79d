namespace AlbertGen.Packages.Tests;

/// <summary>
/// A fresh consumer of AlbertGen.Torch trains: the package's build targets patch libLibTorchSharp.so in the app's output
/// (Debian 12's libstdc++ lacks GLIBCXX_3.4.32), and two pretraining steps on the tiny fixture write an HF folder.
/// </summary>
[Collection(PackageFeedCollection.Name)]
[Trait("Category", "Pack")]
public class TorchPackageTests(PackageFeed feed)
{
    [Fact]
    public void A_fresh_consumer_runs_two_pretraining_steps()
    {
        string app = feed.NewConsumerFolder("torch");
        File.WriteAllText(Path.Combine(app, "Trainer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <!-- TorchSharp 0.107.0 asks for SharpZipLib/SkiaSharp versions the feed serves newer patches of -->
                <NoWarn>$(NoWarn);NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AlbertGen.Torch" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using AlbertGen.Config;
            using AlbertGen.Model;
            using AlbertGen.Tasks.Pretraining;
            using AlbertGen.Torch;
            using AlbertGen.Torch.Training;

            using var backend = TorchAlbertBackend.Load(args[0], AlbertHead.PreTraining, device: "cpu");
            var trainer = new Pretrainer(backend, new PretrainOptions { Steps = 2 });
            var metrics = trainer.Run(new FixedBatchSource(AlbertBatch.Load(Path.Combine(args[0], "inputs.json"))), args[1]);
            foreach (var m in metrics) Console.WriteLine($"step {m.Step} loss {m.Loss:F4}");
            """);
        string outDir = Path.Combine(app, "out");

        Dotnet.Run(app, "build", "-c", "Release");
        string output = Dotnet.Run(app, "run", "--no-build", "-c", "Release", "--", PackageFeed.Fixture("tiny"), outDir);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("step ", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(outDir, "model.safetensors")), output);
        Assert.True(File.Exists(Path.Combine(outDir, "config.json")), output);
    }
}
