# Sourced by make.sh and learning_curve.sh: the default model's one SST-2 fine-tuning recipe.
# sst2_finetune MODEL_DIR OUT_DIR EPOCHS DEVICE [MAX_EXAMPLES]: one libtorch thread, log in OUT_DIR.log;
# uses the caller's $albertgen (command array) and $shared (the shared data folder).
sst2_finetune() {
  local max=()
  if [ -n "${5:-}" ]; then max=(--max-examples "$5"); fi
  OMP_NUM_THREADS=1 "${albertgen[@]}" finetune --task sequence-classification --model "$1" \
    --train "$shared/data/tasks/SST-2/train.tsv" --dev "$shared/data/tasks/SST-2/dev.tsv" --labels negative,positive \
    "${max[@]}" --epochs "$3" --batch-size 32 --max-seq-length 64 --lr 0.0001 --seed 7 --device "$4" \
    --out "$2" > "$2.log" 2>&1
}
