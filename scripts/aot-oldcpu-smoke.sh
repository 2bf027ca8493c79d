#!/usr/bin/env bash
# Runs the NativeAOT CLI that scripts/aot-smoke.sh published (the consumer default: x86-64-v2 + AVX, decision D36)
# under qemu user-mode emulation of older x64 CPUs, so the run-time choice of kernels is tested on CPUs this machine
# is not:
#   SandyBridge (AVX, no AVX2/FMA): must report and run the Vector128 family and reproduce the golden HF-reference
#     outputs of two committed fixtures at 1e-5 (relative error per tensor, `albertgen compare`);
#   Haswell (AVX2 + FMA): must report the 256-bit FMA GEMM picked at run time and reproduce the same fixtures;
#   Nehalem (no AVX): must refuse to start with the runtime's message (the documented limit of the default), not run.
# Correctness only: timings under emulation mean nothing. Usage: scripts/aot-oldcpu-smoke.sh PATH/TO/albertgen
# Needs qemu-user-static 7.2 or later (AVX/AVX2 in TCG; .ci/run installs it); without it exits 77, which
# scripts/test.sh counts as skipped, never as passed.
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${1:-}"
if [ "$(uname -m)" != "x86_64" ]; then echo "old-CPU AOT smoke skipped: x64 hosts only"; exit 77; fi
qemu=$(command -v qemu-x86_64-static || command -v qemu-x86_64 || true)
if [ -z "$qemu" ]; then echo "old-CPU AOT smoke skipped: needs qemu-user-static (apt)"; exit 77; fi
ver=$("$qemu" --version | sed -n 's/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p' | head -1)
read -r major minor <<<"${ver:-0 0}"
if [ "$major" -lt 7 ] || { [ "$major" -eq 7 ] && [ "$minor" -lt 2 ]; }; then
  echo "old-CPU AOT smoke skipped: qemu $major.$minor cannot emulate AVX (needs 7.2 or later)"; exit 77
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then echo "old-CPU AOT smoke: no NativeAOT binary at '$bin' (did scripts/aot-smoke.sh publish?)"; exit 1; fi
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
# qemu warns on stderr about CPUID bits TCG does not model (x2apic, …); they say nothing about the program
emu() { local cpu=$1; shift; "$qemu" -cpu "$cpu" "$bin" "$@" 2> >(grep -v '^qemu-x86_64[^:]*: warning: TCG' >&2); }
status=0
check_cpu() {
  local cpu=$1 want=$2
  local kernels
  kernels=$(emu "$cpu" bench --model tests/fixtures/tiny --seq 8 --runs 1 --warmup 0 | sed -n 's/^kernels *//p')
  if [[ "$kernels" != "$want"* ]]; then
    echo "$cpu: kernels '$kernels', expected '$want…'"; status=1
  else
    echo "$cpu: kernels $kernels"
  fi
  for name in tiny grouped; do
    local dir="tests/fixtures/$name"
    if ! emu "$cpu" run --model "$dir" --inputs "$dir/inputs.json" --output "$out/$cpu-$name.safetensors" >/dev/null; then
      echo "$cpu: run failed: $name"; status=1; continue
    fi
    if "$bin" compare "$out/$cpu-$name.safetensors" "$dir/expected.safetensors" --threshold 1e-5 >/dev/null; then
      echo "$cpu: matches the HF reference: $name"
    else
      echo "$cpu: output differs from the HF reference: $name"
      "$bin" compare "$out/$cpu-$name.safetensors" "$dir/expected.safetensors" --threshold 1e-5 || true
      status=1
    fi
  done
}
check_cpu SandyBridge "Vector128"
check_cpu Haswell "Vector256 GEMM"
# no AVX: the runtime's start-up check must stop the binary with its message (exit status non-zero)
msg=$(emu Nehalem bench --model tests/fixtures/tiny --seq 8 --runs 1 --warmup 0 2>&1 >/dev/null)
rc=$?
if [ "$rc" -ne 0 ] && grep -q "instruction sets are not supported" <<<"$msg"; then
  echo "Nehalem (no AVX): refused at start-up as documented (exit $rc)"
else
  echo "Nehalem (no AVX): expected the runtime's refusal, got exit $rc: $msg"; status=1
fi
exit $status
