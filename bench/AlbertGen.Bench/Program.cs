using BenchmarkDotNet.Running;

namespace AlbertGen.Bench;

public static class Program
{
    // dotnet run -c Release --project bench/AlbertGen.Bench -- --filter '*Gemm*'
    // dotnet run -c Release --project bench/AlbertGen.Bench -- padding-free   (PaddingFreeRun: SST-2 dev, padded vs packed)
    // dotnet run -c Release --project bench/AlbertGen.Bench -- small          (SmallModelRun: MiniLM, cold and warm, vs ORT)
    // dotnet run -c Release --project bench/AlbertGen.Bench -- small-paired   (PairedSmallRun: MiniLM warm, both engines taking turns in one process)
    // dotnet run -c Release --project bench/AlbertGen.Bench -- paired --engine ort:FILE.onnx --engine ours:DIR …   (the same for any engines)
    // dotnet run -c Release --project bench/AlbertGen.Bench -- ops            (OpsProbe: per-op times of a MiniLM-shaped layer)
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "small")
        {
            SmallModelRun.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "small-ort")
        {
            SmallModelRun.OrtChild(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] is "small-paired" or "paired")
        {
            PairedSmallRun.Run(args[1..], miniLM: args[0] == "small-paired");
            return;
        }
        if (args.Length > 0 && args[0] == "ops")
        {
            OpsProbe.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "padding-free")
        {
            PaddingFreeRun.Run(args[1..]);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
