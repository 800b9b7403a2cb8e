#!/bin/sh
# Times BuildPack (cover, action log, minutes and 9 papers of 33 pages, each with its slip:
# 320 pages, stamped and bookmarked) against qpdf merely concatenating the same 9 papers
# (`qpdf --empty --pages ... -- out.pdf`), side by side in one run, and reports the ratio
# and the peak memory of a process building the pack.
# Usage: bench/pack/run.sh [N]   (N runs of each; default 10). Needs Debian's qpdf.
set -eu
N=${1:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v qpdf >/dev/null || { echo "qpdf not installed (apt-get install -y qpdf)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
go test -c -o "$tmp/meetings.test" ./meetings
"$tmp/meetings.test" -test.run '^$' -test.bench 'BuildPack|QpdfMerge' -test.benchtime "${N}x" -test.benchmem | tee "$tmp/out"
ours=$(awk '/^BenchmarkBuildPack/ {print $3}' "$tmp/out")
qpdf=$(awk '/^BenchmarkQpdfMerge/ {print $3}' "$tmp/out")
awk -v o="$ours" -v q="$qpdf" 'BEGIN { printf "BuildPack %.0f ms, qpdf %.0f ms: %.2fx qpdf\n", o/1e6, q/1e6, o/q }'
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f 'peak RSS of one build (with its test papers made): %M KB' \
		"$tmp/meetings.test" -test.run '^$' -test.bench 'BuildPack$' -test.benchtime 1x >/dev/null
fi
