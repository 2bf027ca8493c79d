using System.CommandLine;
using AlbertGen.Cpu;

namespace AlbertGen.Cli.Commands;

/// <summary>
/// <c>albertgen selftest</c>: checks this CPU's GEMM kernels (float, and every int8 kernel it can run) against their
/// naive twins (<see cref="KernelSelfTest"/>). Exit code 0 when all pass, 1 otherwise.
/// </summary>
public static class SelfTestCommand
{
    public static Command Create()
    {
        var cmd = new Command("selftest", "Check this CPU's GEMM kernels (float and int8) against their naive twins");
        cmd.SetAction(_ =>
        {
            Console.WriteLine($"kernels    {CpuKernels.Family}; int8 {CpuKernels.Int8}");
            int failed = 0, passed = 0;
            KernelSelfTest.Run(r =>
            {
                if (r.Failure is null) passed++;
                else
                {
                    failed++;
                    Console.WriteLine($"FAIL {r.Case}: {r.Failure}");
                }
            });
            Console.WriteLine($"{passed} passed, {failed} failed");
            return failed == 0 ? 0 : 1;
        });
        return cmd;
    }
}
