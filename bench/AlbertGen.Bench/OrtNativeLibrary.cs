using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace AlbertGen.Bench;

/// <summary>
/// Lets a benchmark run against another build of ONNX Runtime's native library: <c>ALBERTGEN_BENCH_ORT_LIBRARY</c>
/// names the file (absolute, or relative to the repository; e.g. <c>bench/ort-avx2/libonnxruntime.so</c> from <c>scripts/ort_mask_avx512.py</c>, whose MLAS
/// takes its AVX2/FMA3 kernels as on a CPU without AVX-512). Unset, the NuGet package's library loads as usual.
/// Must run before the first ONNX Runtime call in the process.
/// </summary>
static class OrtNativeLibrary
{
    public const string Variable = "ALBERTGEN_BENCH_ORT_LIBRARY";
    static bool s_installed;

    public static void Install()
    {
        if (s_installed) return;
        s_installed = true;
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(path))
        {
            Console.WriteLine("// ONNX Runtime native library: the NuGet package's");
            return;
        }
        // BenchmarkDotNet's child processes run in their own folders: a relative path is taken from the repository
        if (!Path.IsPathRooted(path))
            path = Path.Combine(RepositoryRoot.Find(), path);
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{Variable} names {path}, which does not exist", path);
        Console.WriteLine($"// ONNX Runtime native library: {path}");
        NativeLibrary.SetDllImportResolver(typeof(InferenceSession).Assembly, (name, _, _) =>
            name is "onnxruntime" or "libonnxruntime" or "libonnxruntime.so" ? NativeLibrary.Load(path) : IntPtr.Zero);
    }
}
