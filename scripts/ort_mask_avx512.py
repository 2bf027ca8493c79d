#!/usr/bin/env python3
"""Makes a copy of ONNX Runtime's native library whose MLAS picks its AVX2/FMA3 kernels on an AVX-512 CPU.

The peer to beat on AVX2-only machines is ONNX Runtime with MLAS's AVX2 kernels (SgemmKernelFma3 and friends), but
MLAS chooses its kernels from CPUID at start-up and has no switch to skip AVX-512 (Linux offers no CPUID masking to a
process without CPUID faulting, which VMs usually lack). MLAS_PLATFORM's constructor tests CPUID leaf 7 EBX bit 16
(AVX512F) and then XCR0's AVX-512 state bits; this script finds that test and clears its immediate, so the test
fails and MLAS stays on the AVX2/FMA3 configuration it uses on a CPU without AVX-512. Nothing else in the library
changes (ONNX Runtime's own CPUIDInfo, which does not choose fp32 GEMM kernels, still sees AVX-512).

For benchmarks only: ALBERTGEN_BENCH_ORT_LIBRARY=bench/ort-avx2/libonnxruntime.so makes bench/AlbertGen.Bench load
the copy (and DOTNET_EnableAVX512=0 puts our engine on its Vector256 kernels), so both peers run AVX2 code in one run.

usage: python3 scripts/ort_mask_avx512.py [--source libonnxruntime.so] [--out bench/ort-avx2/libonnxruntime.so]
"""
import argparse
import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSION = re.search(r'Include="Microsoft\.ML\.OnnxRuntime" Version="([^"]+)"',
                    (ROOT / "Directory.Packages.props").read_text()).group(1)
DEFAULT_SOURCE = (Path.home() / ".nuget" / "packages" / "microsoft.ml.onnxruntime" / VERSION / "runtimes" / "linux-x64"
                  / "native" / "libonnxruntime.so")

ap = argparse.ArgumentParser()
ap.add_argument("--source", default=str(DEFAULT_SOURCE))
ap.add_argument("--out", default=str(ROOT / "bench" / "ort-avx2" / "libonnxruntime.so"))
a = ap.parse_args()

src = Path(a.source)
if not src.is_file():
    raise SystemExit(f"{src} not found: restore the bench project first (dotnet restore bench/AlbertGen.Bench)")
data = bytearray(src.read_bytes())

# test $0x10000, r32   ([41] f7 c0+r 00 00 01 00)   Cpuid7[1] & 0x10000 (AVX512F)
# je  skip             (74 xx)
# mov xcr0, %rax       ([48|49|4c|4d] 89 xx)
# not %rax             (48 f7 d0)
# test $0xe0, %al      (a8 e0)                       (xcr0 & 0xE0) == 0xE0
# je  avx512-setup     (0f 84 ...)
pattern = re.compile(rb"(\x41?\xf7[\xc0-\xc7])\x00\x00\x01\x00\x74.[\x48\x49\x4c\x4d]\x89.\x48\xf7\xd0\xa8\xe0\x0f\x84",
                     re.DOTALL)
hits = list(pattern.finditer(data))
if not hits:
    raise SystemExit(f"the AVX512F test was not found in {src}: this ONNX Runtime build is laid out differently")
for m in hits:
    imm = m.start() + len(m.group(1))
    data[imm:imm + 4] = b"\x00\x00\x00\x00"  # test $0, r32: always zero, the AVX-512 branch is never taken
    print(f"masked the AVX512F test at file offset 0x{m.start():x}")
out = Path(a.out)
out.parent.mkdir(parents=True, exist_ok=True)
tmp = out.with_suffix(".tmp")
tmp.write_bytes(data)
tmp.replace(out)
print(f"source {src} sha256 {hashlib.sha256(src.read_bytes()).hexdigest()}")
print(f"wrote  {out} sha256 {hashlib.sha256(data).hexdigest()} ({len(hits)} copies of MLAS_PLATFORM's test masked)")
