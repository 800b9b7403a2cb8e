#!/usr/bin/env bash
# The action log and the chair's dashboard of a board with 1,000 open actions, over HTTP
# with 20 clients at once, signed in (sessions and all) and as a visitor to a board that
# publishes: the board alone in the database (1k), and among 100,000 actions over 200
# boards (100k). Goals: p95 under 20 ms, and the large database no slower than 1.3x the
# small. Both servers run side by side and the runs alternate, round after round, so that
# each size meets the same machine; the summary gives each figure's median over the rounds.
# Usage: bench/actions-log/run.sh [requests per client per round, default 100] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100}
rounds=${2:-3}
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/quorum" ./cmd/quorum
go build -o "$tmp/seed" ./bench/actions-log/seed
go build -o "$tmp/load" ./bench/actions-log/load
declare -A port board
port[1k]=18632
port[100k]=18634
for size in "1k 1 1000" "100k 200 100000"; do
  set -- $size
  db="$tmp/$1.db"
  "$tmp/quorum" migrate -db "$db" >/dev/null
  board[$1]=$("$tmp/seed" -db "$db" -boards "$2" -total "$3")
  echo "bench-password-1" | "$tmp/quorum" user add -db "$db" -email bench@example.org -name Bench -role admin -password-stdin >/dev/null
  "$tmp/quorum" serve -addr 127.0.0.1:${port[$1]} -db "$db" -demo=false >/dev/null 2>&1 &
  pids+=($!)
  until curl -sf "http://127.0.0.1:${port[$1]}/healthz" >/dev/null; do sleep 0.05; done
done
results="$tmp/results"
for round in $(seq "$rounds"); do
  for who in member public; do
    for size in 1k 100k; do
      args=(-email bench@example.org -password bench-password-1)
      [ "$who" = public ] && args=(-anonymous)
      "$tmp/load" -url "http://127.0.0.1:${port[$size]}" -board "${board[$size]}" "${args[@]}" \
        -clients 20 -n "$n" -label "$size $who" -result "$results" >/dev/null
    done
  done
done
# Median over the rounds of each p50 and p95, then 100k against 1k.
sort "$results" | awk -v rounds="$rounds" '
  function median(list,   a, k, i, j, t) {
    k = split(list, a, " ")
    for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return a[int((k + 1) / 2)]
  }
  { key = $1 " " $2; p50[key] = p50[key] " " $3; p95[key] = p95[key] " " $4 }
  END {
    printf "median of %d rounds, 20 clients: p50 / p95 in ms\n", rounds
    split("member public", whos, " "); split("log dashboard", pages, " ")
    for (w = 1; w <= 2; w++) for (p = 1; p <= 2; p++) {
      small = "1k_" whos[w] " " pages[p]; large = "100k_" whos[w] " " pages[p]
      s50 = median(p50[small]); l50 = median(p50[large])
      printf "%-7s %-9s 1k %6.2f / %6.2f   100k %6.2f / %6.2f   p50 100k/1k %.2fx\n", whos[w], pages[p],
        s50, median(p95[small]), l50, median(p95[large]), l50 / s50
    }
  }'
