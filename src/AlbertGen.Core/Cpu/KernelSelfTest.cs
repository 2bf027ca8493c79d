using AlbertGen.Kernels;

namespace AlbertGen.Cpu;

/// <summary>
/// Runs the CPU engine's GEMM kernels on this machine against their naive twins (the test oracles of the unit tests):
/// the float GEMM of the kernel family this process runs (<see cref="CpuKernels.Family"/>) within 1e-5 relative, and
/// every int8 kernel this CPU can run bit for bit. For machines the test suite never ran on (an ARM64 board, an
/// emulator, an unusual x64): <c>albertgen selftest</c>. Deterministic inputs; a few milliseconds of work.
/// </summary>
public static class KernelSelfTest
{
    /// <summary>One checked case: what ran, and the mismatch if any (null when it passed).</summary>
    public readonly record struct Result(string Case, string? Failure);

    static readonly (int M, int N, int K)[] Shapes = [(1, 1, 1), (5, 17, 7), (6, 16, 8), (7, 33, 64), (13, 50, 257), (31, 64, 600)];

    /// <summary>Runs every case; <paramref name="log"/>, when given, sees each result as it finishes.</summary>
    public static IReadOnlyList<Result> Run(Action<Result>? log = null)
    {
        var results = new List<Result>();
        void Add(Result r) { results.Add(r); log?.Invoke(r); }
        foreach (var (m, n, k) in Shapes)
            Add(CheckFloat(m, n, k));
        foreach (var kernel in Enum.GetValues<Int8Kernel>())
        {
            if (kernel == Int8Kernel.Auto || !GemmInt8.IsSupported(kernel)) continue;
            foreach (var (m, n, k) in Shapes)
                Add(CheckInt8(kernel, m, n, k));
        }
        return results;
    }

    static Result CheckFloat(int m, int n, int k)
    {
        var rng = new Random(m * 131 + n * 17 + k);
        var a = Random(rng, m * k);
        var w = Random(rng, n * k);
        var bias = Random(rng, n);
        var expected = new float[m * n];
        GemmNaive.Linear(a, m, k, w, n, expected, bias);
        var actual = new float[m * n];
        Gemm.Run(a, m, PackedMatrix.FromLinearWeight(w, n, k), actual, bias);
        string name = $"float GEMM ({CpuKernels.Family}) {m}×{n}×{k}";
        for (int i = 0; i < actual.Length; i++)
        {
            float tolerance = 1e-5f * Math.Max(1f, Math.Abs(expected[i]));
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
                return new Result(name, $"[{i / n},{i % n}] = {actual[i]:R}, naive {expected[i]:R}");
        }
        return new Result(name, null);
    }

    static Result CheckInt8(Int8Kernel kernel, int m, int n, int k)
    {
        var rng = new Random(m * 131 + n * 17 + k + 1);
        var a = Random(rng, m * k);
        var (q, scales) = QuantizedMatrix.Quantize(Random(rng, n * k), n, k, GemmInt8.WeightMaxFor(kernel));
        var bias = Random(rng, n);
        var expected = new float[m * n];
        GemmInt8Naive.Linear(a, m, k, q, scales, n, expected, bias);
        var actual = new float[m * n];
        GemmInt8.Run(a, m, QuantizedMatrix.FromInt8(q, scales, n, k), actual, bias, kernel: kernel);
        string name = $"int8 GEMM ({kernel}) {m}×{n}×{k}";
        for (int i = 0; i < actual.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                return new Result(name, $"[{i / n},{i % n}] = {actual[i]:R}, naive {expected[i]:R} (must be equal bit for bit)");
        }
        return new Result(name, null);
    }

    static float[] Random(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
