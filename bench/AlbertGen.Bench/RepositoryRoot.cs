namespace AlbertGen.Bench;

/// <summary>The AlbertGen repository the bench binaries were built in (BenchmarkDotNet runs them from its own folders).</summary>
static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AlbertGen.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"run from inside the AlbertGen repository (no AlbertGen.sln above {AppContext.BaseDirectory})");
    }
}
