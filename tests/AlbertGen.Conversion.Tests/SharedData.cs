namespace AlbertGen.Conversion.Tests;

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
