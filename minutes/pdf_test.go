package minutes

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var updatePDF = flag.Bool("update-pdf", false, "rewrite testdata/pdf/*.golden.txt from the rendered PDFs")

func renderFixture(t testing.TB) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "pdf", "minutes.md"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := RenderPDF(&buf, src); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pdfText(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (Debian package poppler-utils): can't check the text of the PDF")
	}
	cmd := exec.Command("pdftotext", append(args, "-", "-")...)
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftotext: %v %s", err, stderr.String())
	}
	return string(out)
}

func TestRenderPDFGolden(t *testing.T) {
	got := pdfText(t, renderFixture(t), "-layout")
	golden := filepath.Join("testdata", "pdf", "minutes.golden.txt")
	if *updatePDF {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestRenderPDFGolden -update-pdf to write it)", err)
	}
	if got != string(want) {
		t.Errorf("pdftotext -layout differs from %s (run with -update-pdf after checking the PDF by eye)", golden)
	}

	// What the golden file must show, whatever the layout.
	for _, s := range []string{
		"NORTHVALE SAFER COMMUNITIES PARTNERSHIP",
		"Minutes of the meeting held at 10.00 am on 25 March 2026",
		"Cllr Helen Marsh (Chair)", "Priya Nair (Vice-Chair)",
		"Dan Okafor (substituting for Grace Adeyemi)", "Also Present:", "Apologies:",
		"Siân Pritchard", "Zoë Kowalczyk", "Children’s Services",
		"“safe spaces”", "‘Everyone’s Business’", "£48,500", "£120,000", "2025–2028", "Priority one – safer",
		"Post-meeting note: the university confirmed",
		"The meeting ended at 11.55 am", "Chair ....", "Date ....", "Page 1 of 7", "Page 7 of 7",
		"parks, which had", "residents ? –",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("PDF text lacks %q", s)
		}
	}
	if strings.Contains(got, "DRAFT") {
		t.Error("the DRAFT mark came out as text")
	}
	lines := strings.Split(got, "\n")
	// Each item: its minute number in the margin, its title, "Action" on the right.
	for _, it := range []struct{ minute, title string }{
		{"61", "WELCOME, HOUSEKEEPING"}, {"62", "APOLOGIES FOR ABSENCE"}, {"63", "DECLARATIONS OF INTEREST"},
		{"64", "MINUTES OF THE LAST MEETING"}, {"65", "QUESTIONS SUBMITTED"}, {"66", "COMMUNITY SAFETY PARTNERSHIP PLAN"},
		{"67", "QUARTER 4"}, {"67a", "Priority one"}, {"67b", "Priority two"}, {"67c", "Priority three"},
		{"67d", "Priority four"}, {"68", "SERIOUS VIOLENCE DUTY"}, {"69", "COMMUNITY SAFETY FUND"},
		{"70", "ANTI-SOCIAL BEHAVIOUR"}, {"71", "DOMESTIC HOMICIDE"}, {"72", "POLICE PERFORMANCE"},
		{"73", "ANY OTHER BUSINESS"},
	} {
		if !hasLine(lines, func(l string) bool {
			f := strings.Fields(l)
			return len(f) > 1 && f[0] == it.minute && strings.Contains(l, it.title) && strings.HasSuffix(l, "Action")
		}) {
			t.Errorf("no line with minute %s, %q and Action", it.minute, it.title)
		}
	}
	// Owners stand in the Action column, at the end of the line that starts the action.
	for _, a := range []struct{ text, owners string }{
		{"Action NSCP/26/01: circulate a one-page guide", "PN"},
		{"Action: bring proposals to align", "PN, LP"},
		{"Action: agree how voluntary sector groups", "RT, ZK"},
		{"Action: decide whether to sign", "Partners"},
		{"Action: write to each bidder", "PN"},
		{"Action: arrange a joint visit", "SB, MH"},
		{"Action: confirm to the Vice-Chair", "Partners"},
	} {
		if !hasLine(lines, func(l string) bool {
			return strings.Contains(l, a.text) && strings.HasSuffix(l, "   "+a.owners)
		}) {
			t.Errorf("no line %q … %s", a.text, a.owners)
		}
	}
	// Resolutions: set apart, numbered where there are several.
	for _, s := range []string{"RESOLVED that the minutes of the meeting held on 4 December 2025",
		"(1) the Partnership endorses", "(2) each partner organisation considers",
		"(1) the bids be funded as recommended", "(2) the Vice-Chair report on the spending"} {
		if !hasLine(lines, func(l string) bool { return strings.Contains(strings.Join(strings.Fields(l), " "), s) }) {
			t.Errorf("no resolution line %q", s)
		}
	}
	// The table, as a table.
	if !hasLine(lines, func(l string) bool {
		return strings.Contains(l, "CCTV maintenance (year one of three)") && strings.Contains(l, "£48,500     £48,500") ||
			strings.Contains(l, "£48,500") && strings.Count(l, "£48,500") == 2
	}) {
		t.Error("the bids table's CCTV row is not one line with both amounts")
	}
}

func hasLine(lines []string, ok func(string) bool) bool {
	for _, l := range lines {
		if ok(strings.TrimRight(l, " ")) {
			return true
		}
	}
	return false
}

func TestRenderPDFDeterministic(t *testing.T) {
	a, b := renderFixture(t), renderFixture(t)
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same minutes differ")
	}
	if !bytes.Contains(a, []byte("(D:20260325100000")) {
		t.Error("creation date is not the meeting's")
	}
}

func TestRenderPDFApprovedHasNoDraftMark(t *testing.T) {
	draft := renderFixture(t)
	src, _ := os.ReadFile(filepath.Join("testdata", "pdf", "minutes.md"))
	src = bytes.Replace(src, []byte("status: draft"), []byte("status: approved\nsigned_by: Cllr Helen Marsh\napproved_at: 18 June 2026"), 1)
	var buf bytes.Buffer
	if err := RenderPDF(&buf, src); err != nil {
		t.Fatal(err)
	}
	if buf.Len() >= len(draft) {
		t.Errorf("approved minutes (%d bytes) not smaller than the draft (%d): DRAFT mark still drawn?", buf.Len(), len(draft))
	}
	if got := pdfText(t, buf.Bytes()); !strings.Contains(got, "Signed as a correct record: Cllr Helen Marsh (Chair), 18 June 2026") {
		t.Error("approved minutes lack the signature")
	}
}

// Minutes in the characters of Windows-1252 are set in pdffont's Latin faces, built once per
// process; others in the UTF-8 faces, cut to the characters used.
func TestRenderPDFFaces(t *testing.T) {
	pdf := renderFixture(t)
	if !bytes.Contains(pdf, []byte("/Encoding /WinAnsiEncoding")) || bytes.Contains(pdf, []byte("/Identity-H")) {
		t.Error("the fixture is not set in the Latin faces")
	}
	src, err := os.ReadFile(filepath.Join("testdata", "pdf", "minutes.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ from, to, want string }{
		"a Welsh name in the body":   {"Siân Pritchard, who", "Siân Pritchard of Dŵr Cymru, who", "Dŵr Cymru"},
		"a Polish name in the front": {"{name: Zoë Kowalczyk", "{name: Zoë Łukasiewicz", "Zoë Łukasiewicz"},
		// µ is in Windows-1252, but a level-2 heading is upper-cased, and Μ isn't.
		"an upper-cased µ": {"## Date of next meeting", "## Date of next meeting: the µ-grant", "THE Μ-GRANT"},
	} {
		s := strings.Replace(string(src), c.from, c.to, 1)
		if s == string(src) {
			t.Fatalf("%s: %q not in the fixture", name, c.from)
		}
		var buf bytes.Buffer
		if err := RenderPDF(&buf, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(buf.Bytes(), []byte("/Identity-H")) {
			t.Errorf("%s: not set in the UTF-8 faces", name)
		}
		if got := pdfText(t, buf.Bytes()); !strings.Contains(got, c.want) || !strings.Contains(got, "Children’s Services") {
			t.Errorf("%s: %q or the rest of the text missing", name, c.want)
		}
	}
}

func TestRenderPDFNeverPanics(t *testing.T) {
	cases := []string{
		"",
		"---\nboard: 🎉 Party 🎉\nmeeting: 2026-01-01T09:00\n---\n",
		"## 1. Emoji 😀👍🏽👨‍👩‍👧 and flags 🏴󠁧󠁢󠁷󠁬󠁳󠁿 {#1}\n\nText 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \U0010FFFF and \x00 nul and \xff\xfe bad bytes.\n",
		"## 1. Long {#1}\n\n" + strings.Repeat("x", 5000) + "\n\n" + strings.Repeat("word ", 20000) + "\n",
		"| a | b |\n|---|---|\n| " + strings.Repeat("y", 3000) + " | 😀 |\n",
		"> > > > nested\n\n- - - - deep\n\n1. 2. 3. odd\n\n```\ncode 😀\n",
		"## 1. A {#1}\n\nACTION @😀: x\nACTION @a: " + strings.Repeat("z", 4000) + "\n\nRESOLVED that\n",
		"<div>raw <b>html</b></div>\n\n# Title\n\n### 3(a) x\n\n***\n\n[link](http://x) ![img](y.png) `code` <br> \\* &amp; &#9731; &#x1F600;\n",
		strings.Repeat("## 9. Same {#9}\n\n", 300),
		"---\nboard: x\n",
	}
	for _, c := range cases {
		var buf bytes.Buffer
		err := RenderPDF(&buf, []byte(c))
		if err != nil && !strings.Contains(err.Error(), "front matter") {
			t.Errorf("%.40q: %v", c, err)
		}
		if err == nil && !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
			t.Errorf("%.40q: not a PDF", c)
		}
	}
}

func BenchmarkRenderMinutesPDF(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "pdf", "minutes.md"))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := RenderPDF(&buf, src); err != nil { // fonts parsed before the clock starts
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := RenderPDF(&buf, src); err != nil {
			b.Fatal(err)
		}
	}
}

// Minutes with a character outside the Latin faces (a Welsh ŵ): set in the UTF-8 faces, cut
// to the characters used as the file is written.
func BenchmarkRenderMinutesPDFOutsideLatin(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "pdf", "minutes.md"))
	if err != nil {
		b.Fatal(err)
	}
	src = bytes.Replace(src, []byte("Siân Pritchard, who"), []byte("Siân Pritchard of Dŵr Cymru, who"), 1)
	var buf bytes.Buffer
	if err := RenderPDF(&buf, src); err != nil {
		b.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("/Identity-H")) {
		b.Fatal("not in the UTF-8 faces")
	}
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := RenderPDF(&buf, src); err != nil {
			b.Fatal(err)
		}
	}
}
