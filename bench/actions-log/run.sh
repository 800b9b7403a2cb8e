#!/usr/bin/env bash
# The action log and the chair's dashboard of a board with 1,000 open actions, over HTTP
# with 20 clients at once, signed in (sessions and all) and as a visitor to a board that
# publishes: the board alone in the database, and among
# 100,000 actions over 200 boards. Goals: p95 under 20 ms, and the large database no
# slower than 1.3x the small. Usage: bench/actions-log/run.sh [requests per client]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/quorum" ./cmd/quorum
go build -o "$tmp/seed" ./bench/actions-log/seed
go build -o "$tmp/load" ./bench/actions-log/load
port=18632
for size in "1k 1 1000" "100k 200 100000"; do
  set -- $size
  db="$tmp/$1.db"
  "$tmp/quorum" migrate -db "$db" >/dev/null
  board=$("$tmp/seed" -db "$db" -boards "$2" -total "$3")
  echo "bench-password-1" | "$tmp/quorum" user add -db "$db" -email bench@example.org -name Bench -role admin -password-stdin >/dev/null
  "$tmp/quorum" serve -addr 127.0.0.1:$port -db "$db" -demo=false >/dev/null 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
  "$tmp/load" -url "http://127.0.0.1:$port" -board "$board" -email bench@example.org -password bench-password-1 -clients 20 -n "$n" -label "$1 member"
  "$tmp/load" -url "http://127.0.0.1:$port" -board "$board" -anonymous -clients 20 -n "$n" -label "$1 public"
  kill $pid; wait $pid 2>/dev/null || true
done
