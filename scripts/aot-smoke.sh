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
# single-file edge binary (D37): the default model's packed weights and tokenizer embedded; it must run alone in an
# empty folder and give the HF reference's fill-mask top 5 (scripts/edge/expected-fill-mask.txt: ids exact, scores ±2e-6)
if ! dotnet publish src/AlbertGen.EdgeSample -c Release -r linux-x64 -o "$out/edge-bin" --nologo -v q > "$out/edge-publish.log" 2>&1; then
  echo "NativeAOT publish of the edge sample failed:"; tail -20 "$out/edge-publish.log"; status=1
else
  mkdir "$out/edge-alone"
  cp "$out/edge-bin/AlbertGen.EdgeSample" "$out/edge-alone/"
  edge_size=$(stat -c %s "$out/edge-alone/AlbertGen.EdgeSample")
  if ! (cd "$out/edge-alone" && ALBERTGEN_LAUNCH_NS=$(date +%s%N) ./AlbertGen.EdgeSample > ../edge.txt 2>&1); then
    echo "edge sample failed:"; cat "$out/edge.txt"; status=1
  elif [ "$(ls -A "$out/edge-alone")" != "AlbertGen.EdgeSample" ] || ! head -1 "$out/edge.txt" | grep -q "from embedded"; then
    echo "edge sample did not run on its embedded weights alone:"; cat "$out/edge.txt"; status=1
  elif ! paste -d ' ' <(sed -n 2,6p "$out/edge.txt") scripts/edge/expected-fill-mask.txt \
      | awk 'NF != 6 || $1 != $4 || $3 != $6 || ($2 - $5) > 2e-6 || ($5 - $2) > 2e-6 { bad = 1 } END { exit bad || NR != 5 }'; then
    echo "edge sample's fill-mask differs from the HF reference:"; cat "$out/edge.txt"; status=1
  else
    echo "edge binary alone: $((edge_size / 1024)) KiB, $(tail -1 "$out/edge.txt")"
  fi
fi
bench=$("$bin" bench --model tests/fixtures/grouped --seq 16 --runs 3 --json | tail -1)
echo "$bench"
# the default publish must pick the 256-bit FMA GEMM at run time on an AVX2 machine, not fall back to Vector128/scalar
if grep -qw avx2 /proc/cpuinfo 2>/dev/null && ! grep -q '"kernels":"Vector256' <<<"$bench"; then
  echo "AOT binary does not run the 256-bit GEMM kernel on this AVX2 machine"; status=1
fi
exit $status
