#!/usr/bin/env bash
# The test command (README "Run the tests"): builds the solution in Release, runs every test project,
# and prints "N passed, N failed" computed from the TRX results (skipped tests are neither).
set -uo pipefail
cd "$(dirname "$0")/.."
results="${TEST_RESULTS_DIR:-$PWD/TestResults}"
rm -rf "$results"
dotnet test AlbertGen.sln -c Release --nologo -v q --logger "trx" --results-directory "$results" "$@"
status=$?
# The run above exercised the widest kernels this CPU accelerates. Run the kernel, bounds and golden tests again on the
# narrower families: with AVX-512 disabled (Vector256, what AVX2 machines and the NativeAOT build run) where AVX-512
# exists, and always on x64 with AVX2 disabled (Vector128: ARM64's family, and x64 CPUs or AOT builds without AVX2).
kernel_filter="FullyQualifiedName~KernelTests|FullyQualifiedName~GemmJobTests|FullyQualifiedName~GemmBoundsTests|FullyQualifiedName~GoldenFixtureTests|FullyQualifiedName~GoldenTinyTests"
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  DOTNET_EnableAVX512=0 dotnet test tests/AlbertGen.Core.Tests -c Release --no-build --nologo -v q --filter "$kernel_filter" \
    --logger "trx;LogFileName=core-avx2.trx" --results-directory "$results" || status=$?
fi
# The int8 kernels (D35) and the padding-free forward run there too: the Vector128 int8 kernel and the Vector128/scalar
# quantization and epilogue paths must equal the int32 naive twin bit for bit.
if [ "$(uname -m)" = "x86_64" ]; then
  DOTNET_EnableAVX2=0 dotnet test tests/AlbertGen.Core.Tests -c Release --no-build --nologo -v q \
    --filter "$kernel_filter|FullyQualifiedName~GemmInt8Tests|FullyQualifiedName~Int8ModelTests|FullyQualifiedName~PackedForwardTests" \
    --logger "trx;LogFileName=core-vector128.trx" --results-directory "$results" || status=$?
fi
passed=0; failed=0; skipped=0; files=0
shopt -s nullglob
for f in "$results"/*.trx; do
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  fl=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${fl:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
# NativeAOT: the published native CLI must reproduce every golden fixture (counted as one test); the same binary under
# qemu as older x64 CPUs (AVX without AVX2/FMA, AVX2, no AVX: D36) is a second test, skipped without qemu 7.2+
if [ "${SKIP_AOT:-0}" != "1" ]; then
  aot_out="$(mktemp -d)"
  if AOT_OUT="$aot_out" bash scripts/aot-smoke.sh; then passed=$((passed + 1)); else echo "FAILED: NativeAOT smoke test (scripts/aot-smoke.sh)"; failed=$((failed + 1)); fi
  bash scripts/aot-oldcpu-smoke.sh "$aot_out/bin/albertgen"; rc=$?
  if [ "$rc" -eq 0 ]; then passed=$((passed + 1))
  elif [ "$rc" -eq 77 ]; then skipped=$((skipped + 1))
  else echo "FAILED: NativeAOT old-CPU test (scripts/aot-oldcpu-smoke.sh)"; failed=$((failed + 1)); fi
  rm -rf "$aot_out"
fi
# ARM64: the linux-arm64 CLI under qemu must reproduce two golden fixtures (one test; skipped without qemu)
if [ "${SKIP_ARM64:-0}" != "1" ]; then
  bash scripts/arm64-smoke.sh; rc=$?
  if [ "$rc" -eq 0 ]; then passed=$((passed + 1))
  elif [ "$rc" -eq 77 ]; then skipped=$((skipped + 1))
  else echo "FAILED: ARM64 smoke test (scripts/arm64-smoke.sh)"; failed=$((failed + 1)); fi
fi
if [ "$files" -eq 0 ]; then
  echo "no test results found (build failed?)"
  failed=$((failed + 1))
elif [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # dotnet test failed without a failed test (e.g. a test host crash): count it
  echo "dotnet test exited with $status"
  failed=1
fi
[ "$skipped" -gt 0 ] && echo "$skipped skipped (not counted as passed)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
