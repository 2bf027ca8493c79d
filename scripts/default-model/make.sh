#!/usr/bin/env bash
# The embedded default models, reproducibly (issue: "an embedded default model"):
#   1. SentencePiece Unigram tokenizer with ALBERT's settings on ../shared/data/corpus (spm_train; offline step)
#   2. pretraining with `albertgen pretrain` (MLM + SOP, LAMB) on the same corpus, from a fresh HF init
#   3. fine-tuning an SST-2 sentiment classifier with `albertgen finetune`
# Writes src/AlbertGen.Cli/models/albert-default (pretrained, fill-mask/embed) and albert-default-sst2 (classify).
# usage: scripts/default-model/make.sh [PRETRAIN_STEPS] [FINETUNE_EXAMPLES]      (defaults: 1500, 20000)
# Needs Debian's sentencepiece + python3 for step 1 only; the rest is albertgen itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
steps="${1:-1500}"; examples="${2:-20000}"
shared="${SHARED:-../shared}"
work="${WORK:-artifacts/default-model}"
dest="src/AlbertGen.Cli/models"
albertgen=(dotnet run --project src/AlbertGen.Cli -c Release --)
mkdir -p "$work"

# 1. tokenizer (8000 pieces, lower-cased text as AlbertTokenizer sees it)
[ -f "$work/spiece.model" ] || bash scripts/default-model/train_tokenizer.sh "$work" 8000
cp scripts/default-model/config.json scripts/default-model/tokenizer_config.json "$work/"

# 2. pretraining: batch 32 × 128 tokens, LAMB, lr 1e-3 with 100 warmup steps, checkpoints every 100 steps
"${albertgen[@]}" pretrain --config "$work/config.json" --tokenizer "$work" --corpus "$shared/data/corpus" \
  --steps "$steps" --batch-size 32 --max-seq-length 128 --lr 0.001 --warmup 100 --seed 20261124 \
  --save-every 100 --device auto --out "$work/pretrain" ${RESUME:+--resume}

# 3. SST-2 classifier from the pretrained model (first $examples training sentences, one epoch)
"${albertgen[@]}" finetune --task sequence-classification --model "$work/pretrain" \
  --train "$shared/data/tasks/SST-2/train.tsv" --dev "$shared/data/tasks/SST-2/dev.tsv" --labels negative,positive \
  --max-examples "$examples" --epochs 1 --batch-size 32 --max-seq-length 64 --lr 0.0001 --seed 7 --device auto \
  --out "$work/sst2"

mkdir -p "$dest/albert-default" "$dest/albert-default-sst2"
for f in config.json model.safetensors spiece.model tokenizer_config.json; do
  cp "$work/pretrain/$f" "$dest/albert-default/"
  cp "$work/sst2/$f" "$dest/albert-default-sst2/"
done
echo "default models written to $dest (write the model cards: README.md in each folder)"
