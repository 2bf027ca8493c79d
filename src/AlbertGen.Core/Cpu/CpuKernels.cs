using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace AlbertGen.Cpu;

/// <summary>
/// Which kernel family the CPU engine runs in this process (decisions D29, D36): the widest vector width the JIT or the
/// NativeAOT target accelerates — Vector512 → Vector256 → Vector128 → scalar. A NativeAOT build for the package's
/// default baseline (x86-64-v2 + AVX) accelerates Vector128 only, but its GEMM kernel, in explicit AVX2/FMA
/// intrinsics, is picked at run time where the CPU has FMA; <c>albertgen bench</c> prints which.
/// </summary>
public static class CpuKernels
{
    /// <summary>A short description, e.g. "Vector256 (AVX2, 6 × 16 tiles)".</summary>
    public static string Family =>
        Vector512.IsHardwareAccelerated ? "Vector512 (AVX-512, 12 × 32 tiles)"
        : Vector256.IsHardwareAccelerated ? "Vector256 (AVX2, 6 × 16 tiles)"
        : Fma.IsSupported ? "Vector256 GEMM (AVX2/FMA picked at run time, 6 × 16 tiles) + Vector128"
        : Vector128.IsHardwareAccelerated && AdvSimd.Arm64.IsSupported ? "Vector128 (ARM64 NEON, 6 × 16 tiles)"
        : Vector128.IsHardwareAccelerated ? "Vector128 (no AVX2, 2 × 6 × 8 tiles)"
        : "scalar";

    /// <summary>
    /// The int8 GEMM kernel an int8 model's linear maps run here (D39, D41), e.g. "ArmDot"; on AVX2 without VNNI the
    /// pair kernel for 7-bit weights and the one-quad kernel for 8-bit ones.
    /// </summary>
    public static string Int8 => Kernels.GemmInt8.Best == Kernels.Int8Kernel.Avx2
        ? "Avx2Pairs (7-bit weights) or Avx2 (8-bit)"
        : Kernels.GemmInt8.Best.ToString();
}
