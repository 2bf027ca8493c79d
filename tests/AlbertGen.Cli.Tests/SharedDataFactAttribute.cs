namespace AlbertGen.Cli.Tests;

/// <summary>A fact over the workplace's shared task data (../shared/data next to the checkout); skipped, with the path looked for, where it is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string relativePath)
    {
        if (SharedData.Find(relativePath) is null)
            Skip = $"shared data not found: ../shared/data/{relativePath} (looked upwards from {AppContext.BaseDirectory})";
    }
}

/// <summary>Locates ../shared/data from the test binary's folder (the repository sits next to shared/).</summary>
public static class SharedData
{
    public static string? Find(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", relativePath);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
