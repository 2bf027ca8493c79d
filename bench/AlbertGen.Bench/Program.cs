using BenchmarkDotNet.Running;

namespace AlbertGen.Bench;

public static class Program
{
    // dotnet run -c Release --project bench/AlbertGen.Bench -- --filter '*Gemm*'
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
