#!/usr/bin/env bash
# The evening before a meeting: 50 clients on loopback for 60 s against the demo
# partnership plus 200 boards and 100,000 actions (bench/actions-log/seed), then the pack
# and the action log side by side with static files. Prints p50/p95/p99 per route; exits 1
# on any 5xx, SQLITE_BUSY, lost write or missed ratio.
# Usage: bench/load/run.sh [duration, default 60s] [clients, default 50] [think, default 1]
# think scales each client's pause between steps (bench/load's pause): 1 is a busy evening,
# 0 no pause at all (the server saturated: how far it goes, not how fast it answers).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-60s}
clients=${2:-50}
think=${3:-1}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
pid=
go build -o "$tmp/quorum" ./cmd/quorum
go build -o "$tmp/seed" ./bench/actions-log/seed
go build -o "$tmp/load" ./bench/load
db="$tmp/quorum.db"
port=18633
# The demo first (serve loads it into a new database), then the 200 boards beside it.
"$tmp/quorum" serve -addr 127.0.0.1:$port -db "$db" >"$tmp/demo.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
kill $pid; wait $pid 2>/dev/null || true
"$tmp/seed" -db "$db" -boards 200 -total 100000 >/dev/null
clerk=$("$tmp/quorum" token create -db "$db" -email clerk@northvale.example)
officer=$("$tmp/quorum" token create -db "$db" -email priya.natarajan@northvale.example)
"$tmp/quorum" serve -addr 127.0.0.1:$port -db "$db" -demo=false >"$tmp/serve.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
status=0
"$tmp/load" -url "http://127.0.0.1:$port" -db "$db" -clerk-token "$clerk" -officer-token "$officer" \
  -clients "$clients" -duration "$duration" -think "$think" || status=$?
if grep -E 'SQLITE_BUSY|database is locked' "$tmp/serve.log"; then
  echo "FAIL: the server logged SQLITE_BUSY"
  status=1
fi
exit $status
