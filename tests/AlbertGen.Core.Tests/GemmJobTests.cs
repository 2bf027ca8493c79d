using AlbertGen.Config;
using AlbertGen.Cpu;
using AlbertGen.Kernels;

namespace AlbertGen.Tests;

/// <summary>The threaded GEMM job (A packed by parallel tasks, then row block × panel chunk tasks) matches the naive GEMM.</summary>
public unsafe class GemmJobTests
{
    [Theory]
    [InlineData(1, 768, 64)]
    [InlineData(16, 768, 96)]
    [InlineData(16, 3072, 48)]
    [InlineData(40, 1600, 64)]
    [InlineData(130, 768, 80)]
    public void Threaded_gemm_matches_naive(int m, int k, int n) => CheckAgainstNaive(m, k, n, ActivationKind.Linear, relative: 1e-6);

    [Theory]
    [InlineData(400, 200, 645, ActivationKind.GeluErf)]
    [InlineData(1024, 384, 1536, ActivationKind.GeluTanh)]
    [InlineData(7, 96, 300, ActivationKind.Relu)]
    public void Threaded_gemm_with_activation_over_panel_slices_matches_naive(int m, int k, int n, ActivationKind activation) =>
        // large tasks run their panels in slices, each activated at once (D38): every column, the partial last panel's
        // included, is activated exactly once
        CheckAgainstNaive(m, k, n, activation, relative: 1e-5);

    /// <summary>C = act(A · Wᵀ + bias) on two threads against the naive GEMM, within 4e-6·√K + <paramref name="relative"/>·|expected|.</summary>
    static void CheckAgainstNaive(int m, int k, int n, ActivationKind activation, double relative)
    {
        var rng = new Random(m + k + n);
        var a = KernelTests.Random(rng, m * k);
        var w = KernelTests.Random(rng, n * k);
        var bias = KernelTests.Random(rng, n);
        var packed = PackedMatrix.FromLinearWeight(w, n, k);
        var expected = new float[m * n];
        GemmNaive.Linear(a, m, k, w, n, expected, bias, default);
        if (activation != ActivationKind.Linear)
            for (int i = 0; i < expected.Length; i++) expected[i] = ActivationKernels.Naive(activation, expected[i]);
        var actual = new float[m * n];
        using var runner = new ParallelRunner(2);
        var job = new GemmJob();
        fixed (float* pa = a)
        fixed (float* pc = actual)
        fixed (float* pb = bias)
            job.Run(runner, pa, k, m, packed, pc, n, pb, activation: activation);
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 * Math.Sqrt(k) * 4 + relative * Math.Abs(expected[i]), $"[{i / n},{i % n}]: {actual[i]} vs {expected[i]}");
    }
}
