#!/usr/bin/env bash
# Publishes the albertgen CLI for linux-arm64 (JIT, self-contained) and runs it under qemu user-mode emulation: the
# ARM64 build (Vector128/NEON kernels, decision D29) must pass `albertgen selftest` (float and int8 sdot GEMM kernels
# against their naive twins, D39) and reproduce the golden HF-reference outputs of two committed
# fixtures at 1e-5 (relative error per tensor, `albertgen compare`, itself run as ARM64 code). Correctness only:
# timings under emulation mean nothing.
# Needs qemu-user-static, libc6-arm64-cross and libstdc++6-arm64-cross (.ci/run installs them); without them it
# exits 77, which scripts/test.sh counts as skipped, never as passed.
# ARM64_AOT=1 also publishes a NativeAOT linux-arm64 binary (needs gcc-aarch64-linux-gnu; scripts/aarch64-gcc.sh is
# the linker driver) and checks it the same way; off by default to keep the test command's time bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
sysroot=/usr/aarch64-linux-gnu
if [ -z "$qemu" ] || [ ! -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || ! ls "$sysroot"/lib/libstdc++.so.6* >/dev/null 2>&1; then
  echo "ARM64 smoke skipped: needs qemu-user-static, libc6-arm64-cross, libstdc++6-arm64-cross (apt)"; exit 77
fi
if [ -n "${ARM64_OUT:-}" ]; then out="$ARM64_OUT"; else out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT; fi
if ! dotnet publish src/AlbertGen.Cli -c Release -r linux-arm64 --self-contained -p:PublishAot=false -o "$out/bin" --nologo -v q > "$out/publish.log" 2>&1; then
  echo "linux-arm64 publish failed:"; tail -20 "$out/publish.log"; exit 1
fi
# W^X mapping (on by default in .NET 7+) fails under qemu user mode; it is a hardening feature, not a semantic one
arm() { DOTNET_EnableWriteXorExecute=0 "$qemu" -L "$sysroot" "$out/bin/albertgen" "$@"; }
echo "ARM64 kernels: $(arm bench --model tests/fixtures/tiny --seq 8 --runs 1 --warmup 0 | sed -n 's/^kernels *//p')"
status=0
# every GEMM kernel this (emulated) CPU runs against its naive twin: float within 1e-5, int8 (sdot) bit for bit
if arm selftest > "$out/selftest.log" 2>&1 && grep -q "int8 ArmDot" "$out/selftest.log"; then
  echo "ARM64 selftest: $(tail -1 "$out/selftest.log") ($(sed -n 's/^kernels *//p' "$out/selftest.log"))"
else
  echo "ARM64 selftest failed (or the int8 sdot kernel did not run):"; cat "$out/selftest.log"; status=1
fi
for name in tiny grouped; do
  dir="tests/fixtures/$name"
  if ! arm run --model "$dir" --inputs "$dir/inputs.json" --output "$out/$name.safetensors" >/dev/null; then
    echo "ARM64 run failed: $name"; status=1; continue
  fi
  if ! arm compare "$out/$name.safetensors" "$dir/expected.safetensors" --threshold 1e-5 >/dev/null; then
    echo "ARM64 output differs from the HF reference: $name"; arm compare "$out/$name.safetensors" "$dir/expected.safetensors" --threshold 1e-5 || true
    status=1
  else
    echo "ARM64 matches the HF reference: $name"
  fi
done
if [ "${ARM64_AOT:-0}" = "1" ]; then
  if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
    echo "ARM64 NativeAOT: aarch64-linux-gnu-gcc not found (apt: gcc-aarch64-linux-gnu)"; exit 1
  fi
  if ! dotnet publish src/AlbertGen.Cli -c Release -r linux-arm64 -p:PublishAot=true -p:CppCompilerAndLinker="$PWD/scripts/aarch64-gcc.sh" \
      -p:ObjCopyName=aarch64-linux-gnu-objcopy -o "$out/aot" --nologo -v q > "$out/publish-aot.log" 2>&1; then
    echo "linux-arm64 NativeAOT publish failed:"; tail -20 "$out/publish-aot.log"; exit 1
  fi
  aot() { "$qemu" -L "$sysroot" "$out/aot/albertgen" "$@"; }
  for name in tiny grouped; do
    dir="tests/fixtures/$name"
    if aot run --model "$dir" --inputs "$dir/inputs.json" --output "$out/aot-$name.safetensors" >/dev/null \
        && aot compare "$out/aot-$name.safetensors" "$dir/expected.safetensors" --threshold 1e-5 >/dev/null; then
      echo "ARM64 NativeAOT matches the HF reference: $name"
    else
      echo "ARM64 NativeAOT differs from the HF reference or failed: $name"; status=1
    fi
  done
fi
exit $status
