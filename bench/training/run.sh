#!/usr/bin/env bash
# Training-step throughput: AlbertGen's TorchSharp backend (`albertgen pretrain --inputs`) against PyTorch
# (Debian python3-torch, albert_ref.py = HF's modeling code), same config, same fixed batch, same optimiser (AdamW,
# clip 1.0), same thread count; alternated A B A B so that drift hits both. Run it on a quiet machine.
# Debian's torch calls the system BLAS: install libopenblas0-pthread first (the default netlib BLAS is ~15× slower
# and would make the peer a straw man).
# usage: bench/training/run.sh [CONFIG] [BATCH] [SEQ] [STEPS] [THREADS]
#        (default: the embedded default model's config, 32 × 128, 10 timed steps after 3 warm-up, 2 threads)
set -euo pipefail
cd "$(dirname "$0")/../.."
config="${1:-scripts/default-model/config.json}"; batch="${2:-32}"; seq="${3:-128}"; steps="${4:-10}"; threads="${5:-2}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
vocab=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['vocab_size'])" "$config")
/usr/bin/python3 bench/training/make_inputs.py "$vocab" "$batch" "$seq" "$work/inputs.json"
dotnet build src/AlbertGen.Cli -c Release -v q -nologo > /dev/null
ours() {
  rm -rf "$work/out"
  OMP_NUM_THREADS=$threads dotnet src/AlbertGen.Cli/bin/Release/net10.0/albertgen.dll pretrain --config "$config" \
    --inputs "$work/inputs.json" --steps $((steps + 3)) --optimizer "$1" --lr 0.0001 --device cpu --out "$work/out" > /dev/null
  /usr/bin/python3 - "$work/out/metrics.jsonl" "$batch" "$seq" "$1" "$threads" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])][3:]
ms = [r["step_ms"] for r in rows]
med = statistics.median(ms)
print(json.dumps({"engine": "AlbertGen TorchSharp 0.107.0 (libtorch 2.10.0)", "optimizer": sys.argv[4], "threads": int(sys.argv[5]),
                  "steps": len(ms), "median_ms": round(med, 1), "min_ms": round(min(ms), 1), "tokens_per_s": round(int(sys.argv[2]) * int(sys.argv[3]) / med * 1000)}))
PY
}
theirs() { /usr/bin/python3 bench/training/pytorch_train_step.py --config "$config" --inputs "$work/inputs.json" --steps "$steps" --threads "$threads" --optimizer "$1"; }
echo "config $config, batch $batch × seq $seq, $threads threads"
for round in 1 2; do
  theirs adamw; ours adamw
done
ours lamb
