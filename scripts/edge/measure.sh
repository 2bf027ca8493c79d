#!/usr/bin/env bash
# Cold start of an edge-sample binary (D37): runs it N times (default 11) from a folder holding only the binary and
# prints the medians of launch → first result (the binary's own clock against this script's launch time), main →
# first result, peak RSS (/usr/bin/time -v), the binary's size, and a warm forward (tokenize + forward + post-process).
#   scripts/edge/measure.sh BINARY [N] [-- ARGS...]      e.g. ARGS: folder=/path/to/model
set -euo pipefail
bin=$(readlink -f "$1"); shift
n=11
if [ $# -gt 0 ] && [ "$1" != "--" ]; then n=$1; shift; fi
[ "${1:-}" = "--" ] && shift
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
cp "$bin" "$dir/app"
launch=(); main=(); rss=()
for _ in $(seq 1 "$n"); do
  line=$(cd "$dir" && ALBERTGEN_LAUNCH_NS=$(date +%s%N) /usr/bin/time -v -o "$dir/time.txt" ./app "$@" | tail -1)
  launch+=("$(sed -n 's/.*launch → first result \([0-9.]*\) ms.*/\1/p' <<<"$line")")
  main+=("$(sed -n 's/main → first result \([0-9.]*\) ms.*/\1/p' <<<"$line")")
  rss+=("$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$dir/time.txt")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
warm=$(cd "$dir" && ./app "$@" warm=50 | tail -1 | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
printf 'size %.1f MiB | launch→first result median %s ms (min %s) | main→first result median %s ms | peak RSS median %s MiB | warm forward %s ms | n=%s\n' \
  "$(echo "$(stat -c %s "$bin") / 1048576" | bc -l)" "$(median "${launch[@]}")" "$(printf '%s\n' "${launch[@]}" | sort -g | head -1)" \
  "$(median "${main[@]}")" "$(echo "$(median "${rss[@]}") / 1024" | bc -l | xargs printf '%.1f')" "$warm" "$n"
