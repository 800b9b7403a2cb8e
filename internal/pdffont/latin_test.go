package pdffont

import (
	"bytes"
	"compress/zlib"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var updateLatin = flag.Bool("update-latin", false, "cut the Latin faces again into latin/")

// TestLatinFiles checks that latin/ holds what buildLatin makes of the faces (run with
// -update-latin after changing the fonts or buildLatin).
func TestLatinFiles(t *testing.T) {
	for _, f := range faces {
		def, sub, err := buildLatin(f.ttf, f.psName, f.style)
		if err != nil {
			t.Fatalf("%s: %v", f.psName, err)
		}
		defPath := filepath.Join("latin", f.psName+".json")
		zPath := filepath.Join("latin", f.psName+".z")
		if *updateLatin {
			var z bytes.Buffer
			zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
			zw.Write(sub)
			zw.Close()
			if err := os.WriteFile(defPath, def, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(zPath, z.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		gotDef, err := latinFiles.ReadFile("latin/" + f.psName + ".json")
		if err != nil {
			t.Fatalf("%v (run go test ./internal/pdffont -run TestLatinFiles -update-latin)", err)
		}
		if !bytes.Equal(gotDef, def) {
			t.Errorf("%s differs from what buildLatin makes: run with -update-latin", defPath)
		}
		z, _ := latinFiles.ReadFile("latin/" + f.psName + ".z")
		zr, err := zlib.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatalf("%s: %v", zPath, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, sub) {
			t.Errorf("%s differs from what buildLatin makes (%v): run with -update-latin", zPath, err)
		}
	}
}

func TestLatinCodes(t *testing.T) {
	n := 0
	for c := range 256 {
		r := latinRune(c)
		if r == 0 {
			continue
		}
		n++
		if latinCode(r) != byte(c) {
			t.Errorf("code %#x: %q comes back as %#x", c, r, latinCode(r))
		}
		if !drawable(r) {
			t.Errorf("%q is in Windows-1252 but not drawn by every face", r)
		}
		coverageOnce.Do(loadCoverage)
		if !coverage[r] {
			t.Errorf("%q: the faces' cmaps lack it, but drawable takes every Windows-1252 character as drawn", r)
		}
	}
	if n != 95+27+96 {
		t.Errorf("%d characters in Windows-1252, want 218", n)
	}
	for _, r := range "ŵŷłćőΩЖ\u00a0" {
		if r != 0xA0 && latinCode(r) != 0 {
			t.Errorf("%q has a Latin code", r)
		}
	}
	for s, want := range map[string]bool{
		"plain": true, "‘£€’ – Zoë Siân • …": true, "emoji 😀 and \t tab": true, "Dŵr Cymru": false,
		"Łódź": false, "Ωmega": false, "": true, "\xff bad": true,
	} {
		if got := InLatin(s); got != want {
			t.Errorf("InLatin(%q) = %v, want %v", s, got, want)
		}
	}
}

// A line must break at the same place in either kind of document.
func TestLatinWidthsMatchUTF8(t *testing.T) {
	latin, utf := NewLatin("P"), New("P")
	for _, style := range []string{"", "B", "I", "BI"} {
		for c := 0x20; c < 0x100; c++ {
			r := latinRune(c)
			if r == 0 {
				continue
			}
			s := strings.Repeat(string(r), 7)
			utf.SetFont(Family, style, 10.5)
			want := utf.GetStringWidth(s)
			if got := latin.Width(style, 10.5, s); got != want {
				t.Errorf("%q in %q: width %v, UTF-8 face %v", r, style, got, want)
			}
			latin.SetFont(Family, style, 10.5)
			if got := latin.GetStringWidth(s); got != want {
				t.Errorf("%q in %q: GetStringWidth %v, UTF-8 face %v", r, style, got, want)
			}
		}
	}
	if latin.Missed() {
		t.Error("Missed after Windows-1252 text")
	}
	latin.Width("", 10, "Dŵr")
	if !latin.Missed() {
		t.Error("not Missed after ŵ")
	}
}

func renderLatin(t *testing.T, text string) []byte {
	t.Helper()
	p := NewLatin("P")
	p.AddPage()
	y := 20.0
	for _, style := range []string{"", "B", "I", "BI"} {
		p.SetFont(Family, style, 11)
		for _, line := range strings.Split(text, "\n") {
			p.Text(15, y, line)
			y += 6
		}
	}
	if p.Missed() {
		t.Fatal("Missed")
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLatinDocument(t *testing.T) {
	var all strings.Builder
	for c := 0x21; c < 0x100; c++ {
		if r := latinRune(c); r != 0 && r != 0xA0 && r != 0xAD { // no-break space and soft hyphen read back as others
			all.WriteRune(r)
			if c%32 == 31 {
				all.WriteByte('\n')
			}
		}
	}
	text := "Siân’s “report” – £1,200 — €30 • Zoë (brackets) back\\slash\n" + all.String()
	pdf := renderLatin(t, text)
	if !bytes.Equal(pdf, renderLatin(t, text)) {
		t.Error("two renders of the same text differ")
	}
	checkXref(t, pdf)
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (Debian poppler-utils): can't read the text back")
	}
	got := run(t, pdf, "pdftotext", "-", "-")
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if strings.Count(got, line) != 4 {
			t.Errorf("%q not read back in each face:\n%s", line, got)
		}
	}
	fonts := run(t, pdf, "pdffonts", "-")
	for _, name := range []string{"LiberationSans", "LiberationSans-Bold", "LiberationSans-Italic", "LiberationSans-BoldItalic"} {
		if !regexp.MustCompile(`(?m)^[A-Z]{6}\+` + name + ` +TrueType +WinAnsi +yes +yes `).MatchString(fonts) {
			t.Errorf("pdffonts doesn't show %s embedded as a subset:\n%s", name, fonts)
		}
	}
}

// Only the faces a document uses are in it.
func TestLatinAddsFacesUsed(t *testing.T) {
	p := NewLatin("P")
	p.AddPage()
	p.SetFont(Family, "B", 12)
	p.Text(10, 10, "bold only")
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(buf.Bytes(), []byte("/FontFile2")); n != 1 {
		t.Errorf("%d font files embedded, want 1", n)
	}
}

func run(t *testing.T, pdf []byte, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s: %v %s", name, err, stderr.String())
	}
	return string(out)
}

// checkXref checks that each entry of the cross-reference table points at its object, that
// startxref points at the table, and that no stream is left uncompressed.
func checkXref(t *testing.T, pdf []byte) {
	t.Helper()
	at := bytes.LastIndex(pdf, []byte("\nxref\n")) + 1
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(pdf)
	if m == nil || string(m[1]) != strconv.Itoa(at) {
		t.Fatalf("startxref doesn't point at the xref table (at %d)", at)
	}
	lines := strings.Split(string(pdf[at:]), "\n")
	n, _ := strconv.Atoi(strings.Fields(lines[1])[1])
	for i := 1; i < n; i++ {
		off, _ := strconv.Atoi(lines[2+i][:10])
		if want := strconv.Itoa(i) + " 0 obj\n"; !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Errorf("xref entry %d points at %q", i, pdf[off:min(off+20, len(pdf))])
		}
	}
	if regexp.MustCompile(`<</Length \d+>>\nstream`).Match(pdf) {
		t.Error("a stream is left uncompressed")
	}
}

func TestOutputCompressesStreams(t *testing.T) {
	p := New("P")
	p.AddPage()
	p.SetFont(Family, "", 11)
	p.Text(10, 10, "Dŵr Cymru – ŵ ŷ ł")
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	checkXref(t, buf.Bytes())
	if _, err := exec.LookPath("pdftotext"); err == nil {
		if got := run(t, buf.Bytes(), "pdftotext", "-", "-"); !strings.Contains(got, "Dŵr Cymru – ŵ ŷ ł") {
			t.Errorf("text not read back: %q", got)
		}
	}
	// Something fpdf wrote that compressStreams doesn't know is passed on as it is.
	var out bytes.Buffer
	if compressStreams(&out, []byte("%PDF-1.3\nnot laid out as fpdf lays a file out\n")) {
		t.Error("compressStreams took a file it doesn't know")
	}
}

// fpdf encrypts the font files of a protected document in place: the Latin faces' shared
// bytes must come out of it as they went in.
func TestLatinProtected(t *testing.T) {
	before := bytes.Clone(latin("").z)
	for _, early := range []bool{true, false} {
		p := NewLatin("P")
		if early {
			p.SetProtection(0, "user", "owner")
		}
		p.AddPage()
		p.SetFont(Family, "", 11)
		p.Text(10, 10, "protected")
		if !early {
			p.SetProtection(0, "user", "owner")
		}
		var buf bytes.Buffer
		if err := p.Output(&buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(buf.Bytes(), []byte("/Encrypt")) {
			t.Error("not encrypted")
		}
	}
	if !bytes.Equal(before, latin("").z) {
		t.Error("encrypting a document changed the Latin face's font file")
	}
	if !bytes.Equal(renderLatin(t, "after"), renderLatin(t, "after")) {
		t.Error("renders differ after a protected one")
	}
}
