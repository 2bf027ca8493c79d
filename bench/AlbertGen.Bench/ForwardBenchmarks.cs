using BenchmarkDotNet.Attributes;
using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Model;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AlbertGen.Bench;

/// <summary>
/// Whole forward of the albert-base-v2 shape (vocab 30000, E 128, H 768, 12 layers, 12 heads, FFN 3072, random
/// weights) — the CPU engine against ONNX Runtime (MLAS) on the same weights, both with every core. The model
/// folder comes from <c>scripts/make_bench_model.py</c> (bench/models/base: model.safetensors + model.onnx).
/// </summary>
public class ForwardBenchmarks
{
    [Params("1x16", "1x128", "8x128")]
    public string Shape { get; set; } = "1x128";

    CpuAlbertModel? _cpu;
    InferenceSession? _ort;
    AlbertBatch? _batch;
    List<NamedOnnxValue> _ortInputs = [];

    public static string ModelDir
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("ALBERTGEN_BENCH_MODEL");
            if (dir is not null) return dir;
            var candidate = Path.Combine(RepositoryRoot.Find(), "bench", "models", "base");
            if (File.Exists(Path.Combine(candidate, "model.safetensors"))) return candidate;
            throw new InvalidOperationException("bench/models/base not found: run /usr/bin/python3 scripts/make_bench_model.py first (or set ALBERTGEN_BENCH_MODEL)");
        }
    }

    (int Batch, int Seq) ParseShape()
    {
        var parts = Shape.Split('x');
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }

    int[] Ids(int vocab)
    {
        var (batch, seq) = ParseShape();
        var rng = new Random(1234);
        return Enumerable.Range(0, batch * seq).Select(_ => rng.Next(5, vocab)).ToArray();
    }

    // Each benchmark runs in its own process (BenchmarkDotNet's default) and sets up only its own engine, so idle
    // threads of the other runtime never compete for the two cores.
    [GlobalSetup(Target = nameof(AlbertGenCpu))]
    public void SetupCpu()
    {
        var (batch, seq) = ParseShape();
        _cpu = CpuAlbertModel.Load(ModelDir, AlbertHead.Base);
        _batch = new AlbertBatch(batch, seq, Ids(_cpu.Config.VocabSize));
    }

    /// <summary>The int8 form of <see cref="ModelDir"/> (D35): <c>albertgen quantize --model bench/models/base --out
    /// bench/models/base-int8 --force</c> (random weights: the label-agreement gate means nothing there).</summary>
    public static string Int8ModelDir
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("ALBERTGEN_BENCH_INT8_MODEL") ?? ModelDir + "-int8";
            if (File.Exists(Path.Combine(dir, "model.safetensors"))) return dir;
            throw new InvalidOperationException($"{dir} not found: run albertgen quantize --model {ModelDir} --out {dir} --force first (or set ALBERTGEN_BENCH_INT8_MODEL)");
        }
    }

    /// <summary>Opens <paramref name="path"/> in ONNX Runtime (every core, all graph optimisations) with this shape's inputs; returns the ids.</summary>
    int[] OpenOrt(string path)
    {
        OrtNativeLibrary.Install();
        var (batch, seq) = ParseShape();
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = Environment.ProcessorCount };
        _ort = new InferenceSession(path, options);
        var ids = Ids(AlbertGen.Config.AlbertConfig.Load(ModelDir).VocabSize);
        int[] dims = [batch, seq];
        _ortInputs =
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids.Select(i => (long)i).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, ids.Length).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Length], dims)),
        ];
        return ids;
    }

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOrt()
    {
        var (batch, seq) = ParseShape();
        string dir = ModelDir;
        var ids = OpenOrt(Path.Combine(dir, "model.onnx"));
        // the peers must compute the same thing: compare last_hidden_state once (single-threaded engine, then disposed)
        float[] ours;
        using (var cpu = CpuAlbertModel.Load(dir, AlbertHead.Base, threads: 1))
            ours = cpu.Forward(new AlbertBatch(batch, seq, ids)).LastHiddenState!.Data;
        using var results = _ort!.Run(_ortInputs);
        var theirs = results.First(r => r.Name == "last_hidden_state").AsTensor<float>().ToArray();
        double rel = TensorCompare.RelativeError(ours, theirs);
        Console.WriteLine($"// CPU engine vs ONNX Runtime last_hidden_state relative error: {rel:E2}");
        if (rel > 1e-4)
            throw new InvalidOperationException($"CPU engine and ONNX Runtime disagree (relative error {rel:E2}): not the same model");
    }

    /// <summary>
    /// ONNX Runtime on the int8 twin of model.onnx (<c>scripts/make_ort_int8.py</c>: DynamicQuantizeLinear +
    /// MatMulInteger, the graph ORT's own dynamic U8S8 quantizer writes).
    /// </summary>
    [GlobalSetup(Target = nameof(OnnxRuntimeInt8))]
    public void SetupOrtInt8()
    {
        var (batch, seq) = ParseShape();
        string dir = ModelDir, path = Path.Combine(dir, "model-int8.onnx");
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} not found: run /usr/bin/python3 scripts/make_ort_int8.py first");
        var ids = OpenOrt(path);
        float[] ours;
        using (var cpu = CpuAlbertModel.Load(dir, AlbertHead.Base, threads: 1))
            ours = cpu.Forward(new AlbertBatch(batch, seq, ids)).LastHiddenState!.Data;
        using var results = _ort!.Run(_ortInputs);
        var theirs = results.First(r => r.Name == "last_hidden_state").AsTensor<float>().ToArray();
        Console.WriteLine($"// ONNX Runtime int8 vs float last_hidden_state: mean token cosine {MeanTokenCosine(ours, theirs, 768):F5}");
    }

    [GlobalSetup(Target = nameof(AlbertGenInt8))]
    public void SetupInt8()
    {
        var (batch, seq) = ParseShape();
        _cpu = CpuAlbertModel.Load(Int8ModelDir, AlbertHead.Base);
        _batch = new AlbertBatch(batch, seq, Ids(_cpu.Config.VocabSize));
        float[] reference;
        using (var cpu = CpuAlbertModel.Load(ModelDir, AlbertHead.Base, threads: 1))
            reference = cpu.Forward(_batch).LastHiddenState!.Data;
        var int8 = _cpu.Forward(_batch).LastHiddenState!.Data;
        Console.WriteLine($"// CPU engine int8 ({CpuKernels.Int8}) vs float last_hidden_state: mean token cosine {MeanTokenCosine(reference, int8, _cpu.Config.HiddenSize):F5}");
    }

    static double MeanTokenCosine(float[] x, float[] y, int hidden)
    {
        double sum = 0;
        int tokens = x.Length / hidden;
        for (int t = 0; t < tokens; t++)
        {
            double dot = 0, nx = 0, ny = 0;
            for (int i = t * hidden; i < (t + 1) * hidden; i++)
            {
                dot += (double)x[i] * y[i];
                nx += (double)x[i] * x[i];
                ny += (double)y[i] * y[i];
            }
            sum += dot / Math.Sqrt(nx * ny);
        }
        return sum / tokens;
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
        using var results = _ort!.Run(_ortInputs);
        return results.First().AsTensor<float>().Length;
    }

    [Benchmark]
    public object AlbertGenCpu() => _cpu!.Forward(_batch!).LastHiddenState!.Length;

    [Benchmark]
    public object OnnxRuntimeInt8()
    {
        using var results = _ort!.Run(_ortInputs);
        return results.First().AsTensor<float>().Length;
    }

    [Benchmark]
    public object AlbertGenInt8() => _cpu!.Forward(_batch!).LastHiddenState!.Length;
}
