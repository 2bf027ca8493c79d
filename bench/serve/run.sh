#!/usr/bin/env bash
# Load test of `albertgen serve` on loopback with wrk (Debian: apt-get install -y wrk): POST /embed with one SST-2 dev
# sentence per request (short) and with 128-token texts (long), at 1, 4, 16 and 64 connections, DURATION seconds each.
# Starts the server (Release build; ALBERTGEN=path/to/native/albertgen to test the NativeAOT binary), prints a Markdown
# table, and stops the server on exit. Extra arguments go to `albertgen serve` (e.g. --model DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-5}
SST2=${SST2:-../shared/data/tasks/SST-2/dev.tsv}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)"; exit 1; }
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${ALBERTGEN:-}" ]; then
  cmd=("$ALBERTGEN")
else
  dotnet build src/AlbertGen.Cli -c Release --nologo -v q >/dev/null
  cmd=(dotnet src/AlbertGen.Cli/bin/Release/net10.0/albertgen.dll)
fi
"${cmd[@]}" serve --port 0 "$@" > "$work/server.out" 2> "$work/server.err" &
server_pid=$!
for _ in $(seq 1 600); do grep -q "listening on" "$work/server.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/server.out") || { echo "server did not start:"; cat "$work/server.err"; exit 1; }
echo "server: ${cmd[*]} serve $* at $url"
python3 bench/serve/make_bodies.py "$url" "$SST2" "$work"

# warm-up (JIT, first forwards)
wrk -t1 -c4 -d2s -s bench/serve/embed.lua "$url" -- "$work/short.jsonl" >/dev/null
echo
echo "| texts | connections | requests/s | p50 ms | p99 ms | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|"
for kind in short long; do
  for c in 1 4 16 64; do
    t=$(( c < 2 ? c : 2 ))
    line=$(wrk -t$t -c$c -d${DURATION}s --timeout 30s -s bench/serve/embed.lua "$url" -- "$work/$kind.jsonl" | grep '^RESULT')
    val() { echo "$line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
    echo "| $kind | $c | $(val rps) | $(val p50_ms) | $(val p99_ms) | $(( $(val non2xx) + $(val socket_errors) )) |"
  done
done
echo
curl -s "$url/metrics" | grep -E '^albertgen_batch_(size|requests)_(sum|count) ' || true
