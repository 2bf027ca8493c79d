namespace AlbertGen.Tests;

/// <summary>A scratch folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "albertgen-test-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Copies a committed fixture folder so a test can damage it.</summary>
    public string CopyFixture(string name)
    {
        string dst = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(dst);
        foreach (var f in Directory.GetFiles(Fixtures.Dir(name)))
            System.IO.File.Copy(f, System.IO.Path.Combine(dst, System.IO.Path.GetFileName(f)));
        return dst;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
