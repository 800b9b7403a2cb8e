package pdffont

import (
	"bytes"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

func TestFontsParsedOnce(t *testing.T) {
	if !Shared() {
		t.Fatal("documents parse the fonts again each time: fpdf's font table changed shape, see copyDef")
	}
}

func TestClean(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain ascii", "plain ascii"},
		{"‘quoted’ “twice” – — £12 €3 Zoë Siân • naïve", "‘quoted’ “twice” – — £12 €3 Zoë Siân • naïve"},
		{"thumbs 👍🏽 up", "thumbs ? up"},
		{"flag 🏴󠁧󠁢󠁷󠁬󠁳󠁿 Wales", "flag ? Wales"},
		{"family 👨‍👩‍👧 here", "family ? here"},
		{"heart ❤️ x", "heart ? x"},
		{"bad \xff\xfe bytes", "bad ? bytes"},
		{"tab\there\x00nul\r\n", "tab here?nul?\n"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Clean(c.in); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func render(t testing.TB, text string) []byte {
	p := New("P")
	p.AddPage()
	for _, style := range []string{"", "B", "I", "BI"} {
		p.SetFont(Family, style, 11)
		p.MultiCell(0, 5, Clean(text), "", "L", false)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNewWritesEveryCharacterAsText(t *testing.T) {
	text := "Siân’s “report” – £1,200 — €30 • Zoë 🎉"
	pdf := render(t, text)
	if !bytes.Equal(pdf, render(t, text)) {
		t.Error("two renders of the same text differ")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (Debian poppler-utils): can't read the text back")
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(out), "Siân’s “report” – £1,200 — €30 • Zoë ?"); got != 4 {
		t.Errorf("text found %d times in 4 faces, got:\n%s", got, out)
	}
}

func TestConcurrentDocuments(t *testing.T) {
	want := render(t, "same text")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := render(t, "same text"); !bytes.Equal(got, want) {
				t.Error("concurrent render differs")
			}
		})
	}
	wg.Wait()
}

func BenchmarkNewDocument(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		render(b, "Siân’s “report” – £1,200")
	}
}

func TestPruneDropsUnusedFaces(t *testing.T) {
	p := New("P")
	p.SetFooterFuncLpi(func(last bool) {
		p.SetFont(Family, "I", 8)
		p.CellFormat(0, 5, "footer", "", 0, "C", false, 0, "")
		if last {
			Prune(p)
		}
	})
	p.AddPage()
	p.SetFont(Family, "", 11)
	p.MultiCell(0, 5, "regular only on page one", "", "L", false)
	p.AddPage()
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(buf.Bytes(), []byte("/FontFile2")); n != 2 {
		t.Errorf("%d fonts embedded, want 2 (regular, italic)", n)
	}
}

func BenchmarkNewDocumentOneFace(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p := New("P")
		p.AddPage()
		p.SetFont(Family, "", 11)
		p.MultiCell(0, 5, "Siân’s “report” – £1,200", "", "L", false)
		Prune(p)
		var buf bytes.Buffer
		if err := p.Output(&buf); err != nil {
			b.Fatal(err)
		}
	}
}
