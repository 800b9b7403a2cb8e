package meetings

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
)

// pdftotextPages returns the text of each page of pdf, by poppler's pdftotext.
func pdftotextPages(t testing.TB, pdf []byte) []string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	f := filepath.Join(t.TempDir(), "pack.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", f, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	pages := strings.Split(string(out), "\f")
	return pages[:len(pages)-1]
}

func pdfinfo(t testing.TB, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		t.Skip("pdfinfo (poppler-utils) not installed")
	}
	f := filepath.Join(t.TempDir(), "pack.pdf")
	os.WriteFile(f, pdf, 0o600)
	out, err := exec.Command("pdfinfo", "-f", "1", "-l", "9999", f).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	return string(out)
}

func testParts() []PackPart {
	rotated := rotate(SamplePaper("Rotated paper", 2, SizeA4), 90)
	return []PackPart{
		{Title: "Cover", PDF: SamplePaper("Cover", 2, SizeA4)},
		{Title: "Item 5: Budget", Item: "5", PDF: SamplePaper("Budget paper", 3, SizeA4)},
		{Title: "Item 6: Plan (A3)", Item: "6", PDF: SamplePaper("Plan paper", 2, SizeA3), Bookmarks: []Bookmark{{Title: "Annex", Page: 2}}},
		{Title: "Item 7: Landscape", Item: "7", PDF: SamplePaper("Landscape paper", 2, SizeA4Landscape)},
		{Title: "Item 8: Rotated", Item: "8", PDF: rotated},
	}
}

// rotate turns every page of a PDF with /Rotate, as scanners do.
func rotate(pdf []byte, deg int) []byte {
	var out bytes.Buffer
	if err := api.Rotate(bytes.NewReader(pdf), &out, deg, nil, nil); err != nil {
		panic(err)
	}
	return out.Bytes()
}

func TestBuildPack(t *testing.T) {
	parts := testParts()
	meta := PackMeta{Title: "Test pack", Subject: "Agenda pack", Created: time.Date(2026, 3, 19, 10, 0, 0, 0, time.UTC)}
	pdf, where, err := BuildPack(parts, meta)
	if err != nil {
		t.Fatal(err)
	}
	wantStarts := []int{1, 3, 6, 8, 10}
	for i, w := range where {
		if w.Start != wantStarts[i] {
			t.Errorf("part %d starts at %d, want %d", i, w.Start, wantStarts[i])
		}
	}
	pages := pdftotextPages(t, pdf)
	if len(pages) != 11 {
		t.Fatalf("%d pages, want 11", len(pages))
	}
	for i, p := range pages {
		if want := fmt.Sprintf("Page %d of 11", i+1); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q:\n%s", i+1, want, p)
		}
	}
	for i, w := range where {
		first := strings.Fields(strings.TrimSuffix(parts[i].Title, " (A3)"))
		_ = first
		if !strings.Contains(pages[w.Start-1], ", page 1") {
			t.Errorf("part %s: page %d is not its first page:\n%s", parts[i].Title, w.Start, pages[w.Start-1])
		}
	}
	info := pdfinfo(t, pdf)
	for _, want := range []string{"Title:           Test pack", "Author:          Quorum", "Pages:           11", "Page    6 size:  841.89 x 1190.55"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	bms, err := api.Bookmarks(bytes.NewReader(pdf), packConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(bms) != 5 || bms[2].Title != "Item 6: Plan (A3)" || bms[2].PageFrom != 6 || len(bms[2].Kids) != 1 || bms[2].Kids[0].PageFrom != 7 {
		t.Errorf("bookmarks: %+v", bms)
	}

	again, _, err := BuildPack(parts, meta)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pdf, again) {
		t.Error("the same parts gave different bytes")
	}
	if !bytes.Contains(pdf, []byte("D:20260319100000+00'00'")) {
		t.Error("creation date is not the meeting's")
	}
}

func TestStampCopy(t *testing.T) {
	meta := PackMeta{Title: "Restricted", Created: time.Date(2026, 3, 19, 10, 0, 0, 0, time.UTC), Copy: true, Label: "Restricted: not for publication"}
	pdf, _, err := BuildPack(testParts(), meta)
	if err != nil {
		t.Fatal(err)
	}
	before := pdftotextPages(t, pdf)
	if strings.Contains(before[0], "Copy for") {
		t.Fatal("the stored pack names someone")
	}
	cp, err := StampCopy(pdf, "Copy for Zoë Ó Briain, 19 March 2026")
	if err != nil {
		t.Fatal(err)
	}
	pages := pdftotextPages(t, cp)
	if len(pages) != 11 {
		t.Fatalf("%d pages", len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, "Copy for Zoë Ó Briain, 19 March 2026") || !strings.Contains(p, "Restricted: not for publication") {
			t.Errorf("page %d:\n%s", i+1, p)
		}
	}
	if _, err := api.ReadAndValidate(bytes.NewReader(cp), packConfig()); err != nil {
		t.Errorf("pdfcpu can't read the copy: %v", err)
	}
}

func TestBuildPackRefusesBadPart(t *testing.T) {
	_, _, err := BuildPack([]PackPart{{Title: "Cover", PDF: SamplePaper("Cover", 1, SizeA4)}, {Title: "Broken", PDF: []byte("%PDF-1.4 nonsense")}}, PackMeta{})
	if err == nil || !strings.Contains(err.Error(), "Broken") {
		t.Fatalf("want an error naming the part, got %v", err)
	}
}

func TestRenderCover(t *testing.T) {
	b := &Board{Name: "Northvale Safer Communities Partnership", ShortName: "NSCP", ClerkName: "Priya Shah", ClerkEmail: "clerk@example.org"}
	m := &Meeting{StartsAt: time.Date(2026, 3, 19, 10, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 3, 19, 12, 0, 0, 0, time.UTC), Mode: ModeHybrid, Place: "Council House, Room 2"}
	lines := []AgendaLine{{Number: "1", Title: "Welcome"}, {Number: "7", Title: "Budget", Purpose: "for decision", Page: 12, Papers: []AgendaPaper{{Title: "Budget report", Page: 13}}},
		{Number: "7a", Sub: true, Title: "Exempt matter", Note: "Exempt: information about individuals"}}
	pdf, n, err := RenderCover(PackCover{Board: b, Meeting: m, Members: []Membership{{PersonName: "Cllr Ann Barker", Role: "chair", OrganisationName: "Northvale Council"}}, Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d pages", n)
	}
	text := strings.Join(pdftotextPages(t, pdf), "\n")
	for _, want := range []string{"Northvale Safer Communities Partnership", "Thursday 19 March 2026 at 10.00 am to 12.00 pm", "Council House, Room 2",
		"Cllr Ann Barker (Chair)", "Northvale Council", "Priya Shah, clerk@example.org", "Paper: Budget report", "Exempt: information about individuals"} {
		if !strings.Contains(text, want) {
			t.Errorf("cover lacks %q:\n%s", want, text)
		}
	}
}
