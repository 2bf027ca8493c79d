#!/usr/bin/env bash
# Publishes the sample (src/AlbertGen.Sample: a model class generated at build time from a config.json) with
# NativeAOT, runs it, and prints the binary size, the time to the first result and the peak RSS.
#   scripts/publish-aot.sh                         fill-mask + sentiment on the embedded default models (cold start)
#   scripts/publish-aot.sh --golden tests/fixtures/tiny   the typed TinyAlbert against the HF reference
set -euo pipefail
cd "$(dirname "$0")/.."
out="artifacts/sample-aot"
rm -rf "$out"
echo "publishing src/AlbertGen.Sample (NativeAOT, linux-x64; x86-64-v2 + AVX from AlbertGen.Core.targets) ..."
dotnet publish src/AlbertGen.Sample/AlbertGen.Sample.csproj -c Release -r linux-x64 -o "$out" -m:1 -nologo -v q
bin="$out/AlbertGen.Sample"
size=$(stat -c %s "$bin")
timefile=$(mktemp)
trap 'rm -f "$timefile"' EXIT
set +e
ALBERTGEN_LAUNCH_NS=$(date +%s%N) /usr/bin/time -v -o "$timefile" "$bin" "$@"
status=$?
set -e
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$timefile")
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): \(.*\)/\1/p' "$timefile")
echo "---"
awk -v s="$size" 'BEGIN { printf "binary size:   %d bytes (%.2f MiB)\n", s, s / 1048576 }'
echo "peak RSS:      ${rss_kb} KiB ($((rss_kb / 1024)) MiB)"
echo "wall (whole run, /usr/bin/time): ${wall}"
# time to first result over a few more runs (launch → first result, measured by the binary against this script's clock)
runs=()
for _ in 1 2 3 4 5; do
  runs+=("$(ALBERTGEN_LAUNCH_NS=$(date +%s%N) "$bin" "$@" | sed -n 's/.*launch → first result \([0-9.]*\) ms.*/\1/p')")
done
sorted=$(printf '%s\n' "${runs[@]}" | sort -g | tr '\n' ' ')
echo "launch → first result over 5 more runs (ms, sorted): ${sorted}"
exit $status
