package meetings

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"quorum/internal/errs"
	"quorum/internal/pdftest"
)

// handPDF is pdftest.Hand: a one-page PDF with extra catalogue and page entries.
func handPDF(catalog, page string, extra ...string) []byte {
	return pdftest.Hand(catalog, page, extra...)
}

// embeddedFile is a file specification (object n) with its embedded file stream (n+1).
func embeddedFile(n int) []string {
	return []string{
		fmt.Sprintf("<< /Type /Filespec /F (invoice.exe) /UF (invoice.exe) /EF << /F %d 0 R >> >>", n+1),
		"<< /Type /EmbeddedFile /Length 11 >>\nstream\nMZ payload.\nendstream",
	}
}

// hostilePDFs are papers Quorum must refuse, each with what the refusal says.
func hostilePDFs() []struct {
	name string
	data []byte
	say  string
} {
	js := "<< /Type /Action /S /JavaScript /JS (app.alert\\('hello'\\)) >>"
	return []struct {
		name string
		data []byte
		say  string
	}{
		{"OpenAction JavaScript", handPDF("/OpenAction 5 0 R", "", js), "contains JavaScript"},
		{"document JavaScript name tree", handPDF("/Names << /JavaScript 5 0 R >>", "", "<< /Names [(init) 6 0 R] >>", js), "contains JavaScript"},
		{"JavaScript with an escaped name", handPDF("/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>", ""), "contains JavaScript"},
		{"page open action (AA)", handPDF("", "/AA << /O 5 0 R >>", js), "contains JavaScript"},
		{"AA without a script", handPDF("", "/AA << /O << /S /URI /URI (https://evil.example/) >> >>"), "runs an action when it is opened"},
		{"OpenAction to a website", handPDF("/OpenAction << /S /URI /URI (https://evil.example/) >>", ""), "runs an action when it is opened"},
		{"link that launches a program", handPDF("", "/Annots [5 0 R]", "<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /Launch /F (cmd.exe) >> >>"), "starts a program"},
		{"EmbeddedFiles name tree", handPDF("/Names << /EmbeddedFiles 5 0 R >>", "", append([]string{"<< /Names [(invoice.exe) 6 0 R] >>"}, embeddedFile(6)...)...), "files embedded"},
		{"FileAttachment annotation", handPDF("", "/Annots [5 0 R]", append([]string{"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20] /FS 6 0 R /Contents (see attached) >>"}, embeddedFile(6)...)...), "files embedded"},
	}
}

func TestCheckPDFRefusesActiveContent(t *testing.T) {
	for _, c := range hostilePDFs() {
		t.Run(c.name, func(t *testing.T) {
			_, err := CheckPDF(c.data)
			if errs.Code(err) != errs.Invalid || errs.FieldOf(err) != "file" || !strings.Contains(errs.Message(err), c.say) {
				t.Fatalf("got %v (%s), want a file error saying %q", err, errs.Code(err), c.say)
			}
		})
		// The same file rewritten by pdfcpu, with its objects packed into object streams
		// (compressed, so no byte scan would see them), is refused the same way.
		t.Run(c.name+" in object streams", func(t *testing.T) {
			var out bytes.Buffer
			conf := model.NewDefaultConfiguration()
			conf.WriteObjectStream, conf.WriteXRefStream = true, true
			if err := api.Optimize(bytes.NewReader(c.data), &out, conf); err != nil {
				t.Skipf("pdfcpu does not rewrite it: %v", err)
			}
			if !bytes.Contains(out.Bytes(), []byte("/ObjStm")) {
				t.Fatal("pdfcpu wrote no object stream")
			}
			_, err := CheckPDF(out.Bytes())
			if errs.Code(err) != errs.Invalid || !strings.Contains(errs.Message(err), c.say) {
				t.Fatalf("got %v, want a file error saying %q", err, c.say)
			}
		})
	}
	// What only navigates is a document to read, and is taken.
	for name, data := range map[string][]byte{
		"plain":                 handPDF("", ""),
		"opens at page 1":       handPDF("/OpenAction [3 0 R /Fit]", ""),
		"opens with GoTo":       handPDF("/OpenAction << /S /GoTo /D [3 0 R /Fit] >>", ""),
		"a link to a website":   handPDF("", "/Annots [5 0 R]", "<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /URI /URI (https://example.org/) >> >>"),
		"the word JS as text":   handPDF("/Metadata 5 0 R", "", "<< /Type /Metadata /Subtype /XML /Length 18 >>\nstream\n/JS /JavaScript /AA\nendstream"),
		"made by fpdf (demo)":   testPDF(t, "board paper", 2),
		"fpdf with a link text": linkPDF(t),
	} {
		if n, err := CheckPDF(data); err != nil || n < 1 {
			t.Errorf("%s: %d pages, %v", name, n, err)
		}
	}
}

// linkPDF is an fpdf paper with an external and an internal link, as clerks' papers have.
func linkPDF(t testing.TB) []byte {
	t.Helper()
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	pdf.CellFormat(60, 10, "Home Office guidance", "", 1, "", false, 0, "https://www.gov.uk/")
	pdf.AddPage()
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzUpload feeds CheckPDF (what every uploaded paper goes through) any bytes, seeded
// with real papers, the hostile ones above and broken ones: it never panics, a file it
// takes has pages, and everything it refuses is an input error with the field named.
func FuzzUpload(f *testing.F) {
	f.Add(testPDF(f, "seed", 2))
	f.Add(linkPDF(f))
	f.Add(handPDF("/OpenAction [3 0 R /Fit]", ""))
	for _, c := range hostilePDFs() {
		f.Add(c.data)
	}
	f.Add(encryptedPDF(f, ""))
	f.Add([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"))
	if paths, _ := filepath.Glob("testdata/*.pdf"); len(paths) > 0 {
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil && len(b) < 1<<20 {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := CheckPDF(data)
		if err == nil && n < 1 {
			t.Fatalf("accepted a PDF of %d pages", n)
		}
		if err != nil && (errs.Code(err) != errs.Invalid || errs.FieldOf(err) != "file") {
			t.Fatalf("not an input error on the file: %v (%s)", err, errs.Code(err))
		}
	})
}
