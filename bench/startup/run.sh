#!/usr/bin/env bash
# First start to serving (a new database: migrations and the demo partnership), and the
# idle resident memory afterwards. Usage: bench/startup/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
bin=$(mktemp -d)/quorum
go build -o "$bin" ./cmd/quorum
port=18631
total=0
for i in $(seq "$runs"); do
  dir=$(mktemp -d)
  start=$(date +%s%N)
  "$bin" serve -addr 127.0.0.1:$port -db "$dir/q.db" >/dev/null 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.005; done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  total=$((total + ms))
  if [ "$i" = "$runs" ]; then
    sleep 3
    rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
    for p in / /boards/1 /meetings/1 /login /help/minutes; do curl -s -o /dev/null "http://127.0.0.1:$port$p"; done
    sleep 3
    rss2=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  fi
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$dir"
done
echo "first start to serving, demo loaded: mean $((total / runs)) ms over $runs runs (goal < 1000 ms)"
echo "idle RSS after start: $((rss / 1024)) MB, after serving the main pages: $((rss2 / 1024)) MB (goal < 40 MB)"
