using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AlbertGen.Bench;

/// <summary>
/// Load to first result on the base shape (batch 1 × seq 128): CpuAlbertModel.Load + Forward against ONNX Runtime's
/// InferenceSession creation + Run, in a warm process (JIT excluded; the CLI's cold figure is `albertgen bench`'s
/// first_result_ms). Each iteration is one cold load of the model files (page cache warm).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StartupBenchmarks
{
    const int Seq = 128;
    int[] _ids = [];
    string _dir = "";

    [GlobalSetup]
    public void Setup()
    {
        OrtNativeLibrary.Install();
        _dir = ForwardBenchmarks.ModelDir;
        var rng = new Random(1234);
        int vocab = AlbertConfig.Load(_dir).VocabSize;
        _ids = Enumerable.Range(0, Seq).Select(_ => rng.Next(5, vocab)).ToArray();
    }

    [Benchmark(Baseline = true)]
    public int OnnxRuntimeSessionAndFirstRun()
    {
        using var session = new InferenceSession(Path.Combine(_dir, "model.onnx"),
            new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = Environment.ProcessorCount });
        int[] dims = [1, Seq];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(_ids.Select(i => (long)i).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, Seq).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[Seq], dims)),
        };
        using var results = session.Run(inputs);
        return results.Count;
    }

    [Benchmark]
    public int AlbertGenLoadAndFirstForward()
    {
        using var model = CpuAlbertModel.Load(_dir, AlbertHead.Base);
        return model.Forward(new AlbertBatch(1, Seq, _ids)).LastHiddenState!.Length;
    }
}
