package meetings

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// benchParts is the benchmark's pack: a cover with the agenda, an action log, last
// minutes and 9 papers of 33 pages, each headed with a slip.
func benchParts(b *testing.B) ([]PackPart, [][]byte) {
	b.Helper()
	parts := []PackPart{
		{Title: "Cover and agenda", PDF: SamplePaper("Cover", 3, SizeA4)},
		{Title: "Action log", PDF: SamplePaper("Action log", 2, SizeA4)},
		{Title: "Minutes of the last meeting", PDF: SamplePaper("Minutes", 6, SizeA4)},
	}
	var papers [][]byte
	for i := range 9 {
		slip, err := RenderSlip(fmt.Sprint(i+5), fmt.Sprintf("Item %d", i+5), fmt.Sprintf("Paper %d", i+1), "")
		if err != nil {
			b.Fatal(err)
		}
		paper := SamplePaper(fmt.Sprintf("Paper %d", i+1), 33, SizeA4)
		papers = append(papers, paper)
		parts = append(parts, PackPart{Title: "slip", PDF: slip, NoBookmark: true},
			PackPart{Title: fmt.Sprintf("Paper %d", i+1), Item: fmt.Sprint(i + 5), PDF: paper})
	}
	return parts, papers
}

// BenchmarkBuildPack builds a pack of a cover, log, minutes and 9 papers of 33 pages
// (with slips: 320 pages). BenchmarkQpdfMerge, beside it, has qpdf merely concatenate
// the same 9 papers: compare the two (bench/pack/run.sh does).
func BenchmarkBuildPack(b *testing.B) {
	parts, _ := benchParts(b)
	meta := PackMeta{Title: "Bench", Created: time.Date(2026, 3, 19, 10, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := BuildPack(parts, meta); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQpdfMerge(b *testing.B) {
	if _, err := exec.LookPath("qpdf"); err != nil {
		b.Skip("qpdf not installed")
	}
	_, papers := benchParts(b)
	dir := b.TempDir()
	args := []string{"--empty", "--pages"}
	for i, p := range papers {
		f := filepath.Join(dir, fmt.Sprintf("p%d.pdf", i))
		os.WriteFile(f, p, 0o600)
		args = append(args, f)
	}
	args = append(args, "--", filepath.Join(dir, "out.pdf"))
	b.ResetTimer()
	for b.Loop() {
		if out, err := exec.Command("qpdf", args...).CombinedOutput(); err != nil {
			b.Fatalf("qpdf: %v\n%s", err, out)
		}
	}
}
