using BenchmarkDotNet.Attributes;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using Microsoft.ML.OnnxRuntime;

namespace AlbertGen.Bench;

/// <summary>
/// Warm forwards of a small real model, all-MiniLM-L6-v2 (H 384, 6 layers, 12 heads, FFN 1536; <see cref="MiniLMModel"/>):
/// the CPU engine on our conversion against ONNX Runtime on the original graph, both with every core (ORT intra-op
/// threads = our thread count). Cold forwards (a fresh process's first ones) are <see cref="SmallModelRun"/>'s. Without
/// the model the only case is a <c>Shape</c> that says why, and it times nothing.
/// </summary>
public class SmallModelBenchmarks
{
    static readonly string? s_skip = MiniLMModel.Locate().Skip;

    public static IEnumerable<string> Shapes => s_skip is null ? ["1x16", "1x128", "8x128"] : ["skipped: " + s_skip];

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "1x128";

    CpuAlbertModel? _cpu;
    InferenceSession? _ort;
    AlbertBatch? _batch;
    List<NamedOnnxValue> _ortInputs = [];

    (int Batch, int Seq) ParseShape()
    {
        var parts = Shape.Split('x');
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }

    // one engine per process (BenchmarkDotNet's default), so the other runtime's idle threads never compete
    [GlobalSetup(Target = nameof(AlbertGenCpu))]
    public void SetupCpu()
    {
        var (_, albert, skip) = MiniLMModel.Locate();
        if (skip is not null)
        {
            Console.WriteLine("// " + skip);
            return;
        }
        var (batch, seq) = ParseShape();
        _cpu = CpuAlbertModel.Load(albert!, AlbertHead.Base);
        _batch = new AlbertBatch(batch, seq, SmallModelRun.Ids(batch, seq, _cpu.Config.VocabSize));
    }

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOrt()
    {
        var (onnx, _, skip) = MiniLMModel.Locate();
        if (skip is not null)
        {
            Console.WriteLine("// " + skip);
            return;
        }
        OrtNativeLibrary.Install();
        var (batch, seq) = ParseShape();
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = Environment.ProcessorCount };
        _ort = new InferenceSession(onnx!, options);
        _ortInputs = SmallModelRun.OrtInputs(batch, seq, SmallModelRun.Ids(batch, seq, 30522));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cpu?.Dispose();
        _ort?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public object OnnxRuntime()
    {
        if (_ort is null) return 0;
        using var results = _ort.Run(_ortInputs);
        return results.First().AsTensor<float>().Length;
    }

    [Benchmark]
    public object AlbertGenCpu() => _cpu is null ? 0 : _cpu.Forward(_batch!).LastHiddenState!.Length;
}
