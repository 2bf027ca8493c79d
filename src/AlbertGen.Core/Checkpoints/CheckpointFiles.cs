using AlbertGen.SafeTensors;

namespace AlbertGen.Checkpoints;

/// <summary>Which weights file a model folder holds, and the reader for a weights file.</summary>
public static class CheckpointFiles
{
    /// <summary>HF's safetensors weights file name (preferred when a folder has both).</summary>
    public const string SafeTensorsName = "model.safetensors";

    /// <summary>HF's PyTorch weights file name (<c>torch.save</c> of the state dict).</summary>
    public const string PyTorchBinName = "pytorch_model.bin";

    /// <summary>
    /// The weights file of a model folder: <c>model.safetensors</c> if present, else <c>pytorch_model.bin</c>. Throws
    /// <see cref="FileNotFoundException"/> saying what the folder holds and what would work when it has neither.
    /// </summary>
    public static string Find(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"model folder not found: {directory}");
        foreach (var name in (ReadOnlySpan<string>)[SafeTensorsName, PyTorchBinName])
        {
            string path = System.IO.Path.Combine(directory, name);
            if (File.Exists(path)) return path;
        }
        var found = Directory.EnumerateFileSystemEntries(directory).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        string list = found.Count == 0 ? "nothing" : string.Join(", ", found.Take(12)) + (found.Count > 12 ? $", … ({found.Count} entries)" : "");
        string hint = found.Any(f => f!.EndsWith(".index.json", StringComparison.Ordinal))
            ? "; sharded checkpoints (*.index.json) are not read: save the model as one file" : "";
        throw new FileNotFoundException(
            $"no weights: expected {SafeTensorsName} or {PyTorchBinName} in {directory} (found: {list}){hint}",
            System.IO.Path.Combine(directory, SafeTensorsName));
    }

    /// <summary>
    /// Opens a weights file with the reader its name or content calls for: <c>.safetensors</c> → <see cref="SafeTensorsFile"/>;
    /// <c>.bin</c>/<c>.pt</c>/<c>.pth</c>, or a zip or legacy-pickle start → <see cref="PyTorchBinFile"/>; anything else as safetensors.
    /// </summary>
    public static ITensorFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"weights file not found: {path}", path);
        string ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".safetensors") return SafeTensorsFile.Open(path);
        if (ext is ".bin" or ".pt" or ".pth" || PyTorchBinFile.LooksLikePyTorch(path)) return PyTorchBinFile.Open(path);
        return SafeTensorsFile.Open(path);
    }
}
