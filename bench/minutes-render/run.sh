#!/bin/sh
# Times N whole-process renders of the minutes fixture to PDF: `quorum minutes render` against
# pandoc with WeasyPrint (Debian: apt-get install pandoc weasyprint), side by side in one run.
# Usage: bench/minutes-render/run.sh [N]   (from anywhere in the repository; N defaults to 20)
# QUORUM=/path/to/quorum times that binary instead of building ./cmd/quorum (for instance one
# built from a clean checkout while the work tree is half-edited).
set -eu
N=${1:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
in="$root/minutes/testdata/pdf/minutes.md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for tool in pandoc weasyprint pdfinfo bc; do
	command -v $tool >/dev/null || { echo "$tool not installed (apt-get install -y pandoc weasyprint poppler-utils bc)" >&2; exit 1; }
done

cd "$root"
bin=${QUORUM:-}
if [ -z "$bin" ]; then
	bin="$tmp/quorum"
	if ! go build -o "$bin" ./cmd/quorum 2>"$tmp/build.log"; then
		cat "$tmp/build.log" >&2
		echo "cmd/quorum doesn't build: no figure for quorum minutes render (set QUORUM to a built binary)" >&2
		exit 1
	fi
fi
ours="$bin minutes render"
"$bin" minutes render "$in" -o "$tmp/ours.pdf" || { echo "quorum minutes render failed" >&2; exit 1; }
pandoc "$in" --pdf-engine=weasyprint -o "$tmp/pandoc.pdf" 2>/dev/null

now() { date +%s.%N; }
time_n() { # time_n CMD...: runs CMD N times, prints seconds
	start=$(now)
	i=0
	while [ $i -lt "$N" ]; do
		"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
		i=$((i + 1))
	done
	end=$(now)
	echo "$end - $start" | bc -l
}
start_n() { # start_n CMD...: like time_n, for a command that exits with an error
	start=$(now)
	i=0
	while [ $i -lt "$N" ]; do
		"$@" >/dev/null 2>&1 || true
		i=$((i + 1))
	done
	end=$(now)
	echo "$end - $start" | bc -l
}

# Side by side: ours, pandoc, ours again, pandoc again, so that a change in the machine's load
# during the run falls on both.
h=$((N / 2)); N1=$N; N=$h
t1=$(time_n $ours "$in" -o "$tmp/ours.pdf")
p1=$(time_n pandoc "$in" --pdf-engine=weasyprint -o "$tmp/pandoc.pdf")
N=$((N1 - h))
t2=$(time_n $ours "$in" -o "$tmp/ours.pdf")
p2=$(time_n pandoc "$in" --pdf-engine=weasyprint -o "$tmp/pandoc.pdf")
N=$N1
t_ours=$(echo "$t1 + $t2" | bc -l)
t_pandoc=$(echo "$p1 + $p2" | bc -l)
# What the process costs before any work: quorum with the render's usage error.
t_start=$(start_n "$bin" minutes render)

pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ {print $2}'; }
printf '%d renders of %s (load average %s)\n' "$N" "minutes/testdata/pdf/minutes.md" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-40s %8.1f ms/render  %s pages, %s bytes\n' "quorum minutes render" "$(echo "$t_ours * 1000 / $N" | bc -l)" "$(pages "$tmp/ours.pdf")" "$(wc -c <"$tmp/ours.pdf")"
printf '%-40s %8.1f ms/render  %s pages, %s bytes\n' "pandoc --pdf-engine=weasyprint" "$(echo "$t_pandoc * 1000 / $N" | bc -l)" "$(pages "$tmp/pandoc.pdf")" "$(wc -c <"$tmp/pandoc.pdf")"
printf '%-40s %8.1f ms/run     (process start and package init)\n' "quorum minutes render, no arguments" "$(echo "$t_start * 1000 / $N" | bc -l)"
printf 'ratio: ours is %.1fx faster\n' "$(echo "$t_pandoc / $t_ours" | bc -l)"
