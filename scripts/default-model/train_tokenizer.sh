#!/usr/bin/env bash
# Step 1 of the default-model recipe: a SentencePiece Unigram model with ALBERT's settings
# (google-research/albert README: pad 0, unk 1, no bos/eos, [CLS] [SEP] [MASK] control symbols), trained on the
# shared corpus. Needs Debian's `sentencepiece` (spm_train) and python3. usage: train_tokenizer.sh OUT_DIR [VOCAB]
set -euo pipefail
out="$1"; vocab="${2:-8000}"
here="$(cd "$(dirname "$0")" && pwd)"
corpus="${CORPUS:-$here/../../../shared/data/corpus}"
mkdir -p "$out"
python3 "$here/prepare_corpus.py" "$corpus" "$out/corpus.txt"
spm_train --input="$out/corpus.txt" --model_prefix="$out/spiece" --vocab_size="$vocab" --model_type=unigram \
  --pad_id=0 --unk_id=1 --bos_id=-1 --eos_id=-1 --pad_piece='<pad>' --unk_piece='<unk>' \
  --control_symbols='[CLS],[SEP],[MASK]' --character_coverage=0.99995 --shuffle_input_sentence=true \
  --input_sentence_size=2000000 --num_threads=2 --seed_sentencepiece_size=1000000 --minloglevel=1
rm -f "$out/spiece.vocab" "$out/corpus.txt"
echo "wrote $out/spiece.model"
