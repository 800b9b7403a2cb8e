#!/bin/sh
# Times N whole-process renders of the minutes fixture to PDF: Quorum's renderer against
# pandoc with WeasyPrint (Debian: apt-get install pandoc weasyprint), side by side.
# Usage: bench/minutes-render/run.sh [N]   (from anywhere in the repository)
set -eu
N=${1:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
in="$root/minutes/testdata/pdf/minutes.md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$root"
# `quorum minutes render` once it is wired; until then the small program beside this script.
go build -o "$tmp/quorum" ./cmd/quorum
if "$tmp/quorum" minutes render "$in" -o "$tmp/probe.pdf" >/dev/null 2>&1; then
	ours="$tmp/quorum minutes render"
	label="quorum minutes render"
else
	go build -o "$tmp/render" ./bench/minutes-render/render
	ours="$tmp/render"
	label="bench/minutes-render/render (minutes.RenderPDF)"
fi
for tool in pandoc weasyprint; do
	command -v $tool >/dev/null || { echo "$tool not installed (apt-get install -y pandoc weasyprint)" >&2; exit 1; }
done

now() { date +%s.%N; }
time_n() { # time_n OUT CMD...: runs CMD N times, prints seconds
	out=$1; shift
	start=$(now)
	i=0
	while [ $i -lt "$N" ]; do
		"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
		i=$((i + 1))
	done
	end=$(now)
	echo "$end - $start" | bc -l
}

# One run of each first: warm caches, and fail early.
$ours "$in" -o "$tmp/ours.pdf"
pandoc "$in" --pdf-engine=weasyprint -o "$tmp/pandoc.pdf" 2>/dev/null

t_ours=$(time_n "$tmp/ours.pdf" $ours "$in" -o "$tmp/ours.pdf")
t_pandoc=$(time_n "$tmp/pandoc.pdf" pandoc "$in" --pdf-engine=weasyprint -o "$tmp/pandoc.pdf")

pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ {print $2}'; }
printf '%d renders of %s\n' "$N" "minutes/testdata/pdf/minutes.md"
printf '%-52s %8.1f ms/render  %s pages\n' "$label" "$(echo "$t_ours * 1000 / $N" | bc -l)" "$(pages "$tmp/ours.pdf")"
printf '%-52s %8.1f ms/render  %s pages\n' "pandoc --pdf-engine=weasyprint" "$(echo "$t_pandoc * 1000 / $N" | bc -l)" "$(pages "$tmp/pandoc.pdf")"
printf 'ratio: ours is %.1fx faster\n' "$(echo "$t_pandoc / $t_ours" | bc -l)"
