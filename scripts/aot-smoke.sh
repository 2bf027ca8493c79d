#!/usr/bin/env bash
# Publishes the albertgen CLI with NativeAOT as a consumer would, without an instruction-set override (AlbertGen.Core's
# build targets then pick x86-64-v2 + AVX, D36), and checks the native binary picks the 256-bit FMA GEMM at run time
# on an AVX2 machine and reproduces the golden HF-reference outputs of every committed fixture at 1e-5 (relative error
# per tensor, `albertgen compare`). scripts/aot-oldcpu-smoke.sh runs the same binary as older CPUs under qemu.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${AOT_OUT:-}" ]; then out="$AOT_OUT"; else out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT; fi
if ! dotnet publish src/AlbertGen.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$out/bin" --nologo -v q > "$out/publish.log" 2>&1; then
  echo "NativeAOT publish failed:"; tail -20 "$out/publish.log"; exit 1
fi
bin="$out/bin/albertgen"
size=$(stat -c %s "$bin")
echo "AOT binary: $bin ($((size / 1024)) KiB)"
status=0
for dir in tests/fixtures/*/; do
  [ -f "$dir/expected.safetensors" ] || continue
  name=$(basename "$dir")
  if ! "$bin" run --model "$dir" --inputs "$dir/inputs.json" --output "$out/$name.safetensors" >/dev/null; then
    echo "AOT run failed: $name"; status=1; continue
  fi
  if ! "$bin" compare "$out/$name.safetensors" "$dir/expected.safetensors" --threshold 1e-5 >/dev/null; then
    echo "AOT output differs from the HF reference: $name"; status=1
  fi
done
# eval (CPU engine, tasks layer) is an AOT verb too: MLM/SOP metrics of the default model on a small corpus
for i in $(seq 1 40); do echo "The sea was calm on night $i. The ship moved slowly to the north. Nobody on board had slept."; echo; done > "$out/corpus.txt"
if ! "$bin" eval --model src/AlbertGen.Cli/models/albert-default --corpus "$out/corpus.txt" --batches 2 --batch-size 4 --json | grep -q '"mlm_accuracy"'; then
  echo "AOT eval failed"; status=1
fi
# quantize (int8, D35): the built-in calibration text is an embedded resource; the int8 model must classify
if ! "$bin" quantize --model src/AlbertGen.Cli/models/albert-default-sst2 --out "$out/int8" >/dev/null \
  || ! echo "a gripping, funny film" | "$bin" classify --model "$out/int8" --json | grep -q '"label":"positive"'; then
  echo "AOT quantize failed"; status=1
fi
bench=$("$bin" bench --model tests/fixtures/grouped --seq 16 --runs 3 --json | tail -1)
echo "$bench"
# the default publish must pick the 256-bit FMA GEMM at run time on an AVX2 machine, not fall back to Vector128/scalar
if grep -qw avx2 /proc/cpuinfo 2>/dev/null && ! grep -q '"kernels":"Vector256' <<<"$bench"; then
  echo "AOT binary does not run the 256-bit GEMM kernel on this AVX2 machine"; status=1
fi
exit $status
