#!/usr/bin/env bash
# The embedded default models, reproducibly (issue: "an embedded default model"):
#   1. SentencePiece Unigram tokenizer with ALBERT's settings on ../shared/data/corpus (spm_train; offline step)
#   2. pretraining with `albertgen pretrain` (MLM + SOP, LAMB) on the same corpus minus one held-out book
#      (Pride and Prejudice: the fill-mask evaluation's sentences), from a fresh HF init; then continued with AdamW
#   3. fine-tuning an SST-2 sentiment classifier with `albertgen finetune` (full training set, one epoch), and the
#      same fine-tuning from a random initialisation for the pretrained-vs-random comparison, also on 1k–10k examples
#   4. evaluation: SST-2 dev accuracy (printed by finetune), MLM/SOP on the held-out book (`albertgen eval`),
#      fill-mask top-1/top-5 on held-out sentences (eval_fill_mask.py)
# Writes src/AlbertGen.Cli/models/albert-default (pretrained: fill-mask, embed) and albert-default-sst2 (classify);
# the model cards (README.md in each folder) are written by hand from the numbers this prints.
# usage: scripts/default-model/make.sh [PRETRAIN_STEPS]      (default 3500: ≈ 80 min on a quiet 2-core CPU; the
#        continued AdamW phase adds CONTINUE_STEPS, default 3500, ≈ 85 min)
# Needs Debian's sentencepiece + python3-sentencepiece for steps 1 and 4; the rest is albertgen itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
steps="${1:-3500}"
shared="${SHARED:-../shared}"
work="${WORK:-artifacts/default-model}"
dest="src/AlbertGen.Cli/models"
heldout="$shared/data/corpus/pg1342_austen_pride-and-prejudice.txt"
dotnet build src/AlbertGen.Cli -c Release -v q -nologo
albertgen=(dotnet src/AlbertGen.Cli/bin/Release/net10.0/albertgen.dll)
mkdir -p "$work"

# 1. tokenizer (8000 pieces, lower-cased text as AlbertTokenizer sees it)
[ -f "$work/spiece.model" ] || bash scripts/default-model/train_tokenizer.sh "$work" 8000
cp scripts/default-model/config.json scripts/default-model/tokenizer_config.json "$work/"

# 2. pretraining: batch 32 × 128 tokens, LAMB, lr 1e-3 with 200 warmup steps then linear decay, checkpoints every 250
mapfile -t corpus < <(ls "$shared"/data/corpus/*.txt | grep -v -F "$(basename "$heldout")")
"${albertgen[@]}" pretrain --config "$work/config.json" --tokenizer "$work" --corpus "${corpus[@]}" \
  --steps "$steps" --batch-size 32 --max-seq-length 128 --lr 0.001 --warmup 200 --seed 20261202 \
  --save-every 250 --device auto --out "$work/pretrain" ${RESUME:+--resume}
# 2b. continued pretraining (run 4): LAMB at lr 1e-3 moves each weight by ~lr·|w| per step, too slow for a
#     3750-step budget at batch 32 (docs/default-model.md), so the model continues with AdamW (lr 5e-4, 300 warm-up
#     steps, linear decay) on a fresh data order (new seed)
"${albertgen[@]}" pretrain --model "$work/pretrain" --tokenizer "$work" --corpus "${corpus[@]}" \
  --steps "${CONTINUE_STEPS:-3500}" --batch-size 32 --max-seq-length 128 --optimizer adamw --lr 0.0005 --warmup 300 \
  --seed 20261203 --save-every 250 --device auto --out "$work/pretrain2" ${RESUME:+--resume}
# the same architecture at HF's initialisation (0 steps), for the comparison below
"${albertgen[@]}" pretrain --config "$work/config.json" --tokenizer "$work" --corpus "$heldout" --steps 0 --seed 20261202 \
  --device cpu --out "$work/random-init"

# 3. SST-2 classifiers: pretrained and random init, same data and budget, one libtorch thread each, side by side
source scripts/default-model/sst2.sh
sst2_finetune "$work/pretrain2" "$work/sst2" 1 auto & sst2_finetune "$work/random-init" "$work/sst2-random" 1 auto & wait
tail -n 2 "$work/sst2.log" "$work/sst2-random.log"

# 3b. the same comparison with fewer labelled examples (first 1000 / 4000 / 10000 sentences, 3 epochs each)
bash scripts/default-model/learning_curve.sh "$work/pretrain2" "$work/random-init" "$work/curve" "1000 4000 10000" 3

# 4. held-out evaluation
"${albertgen[@]}" eval --model "$work/pretrain2" --corpus "$heldout" --batches 20 --json
ALBERTGEN="${albertgen[*]}" python3 scripts/default-model/eval_fill_mask.py "$work/pretrain2" "$heldout" 500

mkdir -p "$dest/albert-default" "$dest/albert-default-sst2"
for f in config.json model.safetensors spiece.model tokenizer_config.json; do
  cp "$work/pretrain2/$f" "$dest/albert-default/"
  cp "$work/sst2/$f" "$dest/albert-default-sst2/"
done
echo "default models written to $dest (update the model cards: README.md in each folder)"
