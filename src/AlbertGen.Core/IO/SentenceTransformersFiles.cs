namespace AlbertGen.IO;

/// <summary>
/// A sentence-transformers folder's own files (D32): <c>modules.json</c>, <c>sentence_bert_config.json</c>,
/// <c>config_sentence_transformers.json</c> and the module folders (<c>1_Pooling/</c>, <c>2_Normalize/</c>, …). They say
/// how the publisher pools and normalises, so every command that writes a model folder from another one — `convert`,
/// `albertize`, `quantize` — carries them over: without them `embed` on the output would pool differently.
/// </summary>
public static class SentenceTransformersFiles
{
    /// <summary>The files at the folder's top level.</summary>
    public static readonly IReadOnlyList<string> TopLevel = ["modules.json", "sentence_bert_config.json", "config_sentence_transformers.json"];

    /// <summary>
    /// Copies the top-level files and every module folder (a name <c>N_Name</c>, all files in it, an empty one such as
    /// <c>2_Normalize</c> too) from <paramref name="fromDir"/> into <paramref name="toDir"/>, each file atomically.
    /// Returns the copied paths relative to the folder ('/'-separated); nothing when the folders are the same.
    /// </summary>
    public static IReadOnlyList<string> Copy(string fromDir, string toDir)
    {
        var copied = new List<string>();
        if (!Directory.Exists(fromDir) || Path.GetFullPath(fromDir) == Path.GetFullPath(toDir)) return copied;
        foreach (var name in TopLevel)
            CopyOne(fromDir, toDir, name, copied);
        foreach (var sub in Directory.GetDirectories(fromDir).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(sub);
            if (!IsModuleFolder(name)) continue;
            Directory.CreateDirectory(Path.Combine(toDir, name));
            foreach (var file in Directory.GetFiles(sub, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                CopyOne(fromDir, toDir, Path.GetRelativePath(fromDir, file), copied);
        }
        return copied;
    }

    /// <summary>sentence-transformers' module folder names: digits, an underscore, a name (1_Pooling).</summary>
    static bool IsModuleFolder(string name)
    {
        int underscore = name.IndexOf('_');
        return underscore > 0 && underscore < name.Length - 1 && name.AsSpan(0, underscore).IndexOfAnyExceptInRange('0', '9') < 0;
    }

    static void CopyOne(string fromDir, string toDir, string relative, List<string> copied)
    {
        string from = Path.Combine(fromDir, relative);
        if (!File.Exists(from)) return;
        AtomicFile.Copy(from, Path.Combine(toDir, relative));
        copied.Add(relative.Replace(Path.DirectorySeparatorChar, '/'));
    }
}
