#!/usr/bin/env bash
# Pretrained vs random initialisation on SST-2 as the training set grows (the issue's check "pretraining beats
# training from random initialisation on the dev set", measured where it matters: few labelled examples).
# For each size N: `albertgen finetune --max-examples N` (the first N lines of train.tsv) for EPOCHS epochs from the
# pretrained model and from the same architecture at HF's initialisation, same seed, data and hyper-parameters,
# one libtorch thread each, side by side; prints the final-epoch dev accuracy and MCC of each run as a table.
# usage: learning_curve.sh PRETRAINED_DIR RANDOM_INIT_DIR OUT_DIR [SIZES (default "1000 3000 10000")] [EPOCHS (3)]
set -euo pipefail
cd "$(dirname "$0")/../.."
pre="$1"; rand="$2"; out="$3"; sizes="${4:-1000 3000 10000}"; epochs="${5:-3}"
shared="${SHARED:-../shared}"
albertgen=(${ALBERTGEN:-dotnet src/AlbertGen.Cli/bin/Release/net10.0/albertgen.dll})
mkdir -p "$out"
source scripts/default-model/sst2.sh
for n in $sizes; do
  sst2_finetune "$pre" "$out/pretrained-$n" "$epochs" cpu "$n" & sst2_finetune "$rand" "$out/random-$n" "$epochs" cpu "$n" & wait
done
echo "| training examples | epochs | pretrained: dev accuracy / MCC | random init: dev accuracy / MCC |"
echo "|---:|---:|---:|---:|"
for n in $sizes; do
  row="| $n | $epochs"
  for init in pretrained random; do
    acc=$(grep -oP '^dev accuracy \K[0-9.]+' "$out/$init-$n.log"); mcc=$(grep -oP '^dev matthews_correlation \K[0-9.-]+' "$out/$init-$n.log")
    row="$row | $acc / $mcc"
  done
  echo "$row |"
done
