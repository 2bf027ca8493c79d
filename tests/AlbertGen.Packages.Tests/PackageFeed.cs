using System.Xml.Linq;

namespace AlbertGen.Packages.Tests;

/// <summary>
/// The solution's packages (<c>dotnet pack AlbertGen.sln --no-build</c>: the Release build the test run already made, so
/// nothing is rebuilt under other tests' feet) in a temporary feed, and fresh consumer folders whose <c>nuget.config</c>
/// takes AlbertGen's packages from that feed only, everything else from the machine's package folder (or nuget.org),
/// into a private packages folder, so no stale copy of a test package is ever reused.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "albertgen-packages-" + Guid.NewGuid().ToString("N")[..8]);
    public string Feed => Path.Combine(Root, "feed");
    public string Version { get; }

    public PackageFeed()
    {
        Directory.CreateDirectory(Feed);
        Dotnet.Run(RepoRoot, "pack", "AlbertGen.sln", "-c", Configuration, "--no-build", "-o", Feed);
        string umbrella = Assert.Single(Directory.GetFiles(Feed, "AlbertGen.?.*.nupkg"));
        Version = Path.GetFileNameWithoutExtension(umbrella)["AlbertGen.".Length..];
    }

    /// <summary>The repository (the folder with AlbertGen.sln above the test binaries).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The configuration these tests were built in (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

    /// <summary>The built JIT CLI, to compare package consumers with.</summary>
    public static string CliDll => Path.Combine(RepoRoot, "src", "AlbertGen.Cli", "bin", Configuration, "net10.0", "albertgen.dll");

    public static string Fixture(string name) => Path.Combine(RepoRoot, "tests", "fixtures", name);

    /// <summary>A new empty folder under the feed's root with a nuget.config for it.</summary>
    public string NewConsumerFolder(string name)
    {
        string dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        string machinePackages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var config = new XElement("configuration",
            new XElement("packageSources", new XElement("clear"),
                new XElement("add", new XAttribute("key", "albertgen"), new XAttribute("value", Feed)),
                new XElement("add", new XAttribute("key", "nuget.org"), new XAttribute("value", "https://api.nuget.org/v3/index.json"))),
            new XElement("packageSourceMapping",
                new XElement("packageSource", new XAttribute("key", "albertgen"), new XElement("package", new XAttribute("pattern", "AlbertGen*"))),
                new XElement("packageSource", new XAttribute("key", "nuget.org"), new XElement("package", new XAttribute("pattern", "*")))),
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", Path.Combine(dir, ".packages")))),
            new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", machinePackages))));
        config.Save(Path.Combine(dir, "nuget.config"));
        return dir;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "AlbertGen.sln"))) return d.FullName;
        throw new InvalidOperationException("AlbertGen.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "package feed";
}
