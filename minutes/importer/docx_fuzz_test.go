package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// importErrors are the errors an import may answer for bad input: each has a message
// meant for the clerk, and the upload handler answers them with 422 (413 for ErrTooLarge).
var importErrors = []error{ErrEmpty, ErrNotText, ErrDoc, ErrEncrypted, ErrNotDocx, ErrTooLarge, ErrTooLong}

// FuzzImportDocx feeds FromDocx any bytes, seeded with the Word fixture (with and without
// numbering, with a table, cut short) and the shapes of bad files: it never panics, what
// it refuses is one of the import's own errors, and what it converts parses as minutes.
func FuzzImportDocx(f *testing.F) {
	types := `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`
	full := buildDocx(f, map[string]string{"[Content_Types].xml": types, "word/document.xml": docxBody, "word/numbering.xml": docxNumbering})
	f.Add(full)
	f.Add(buildDocx(f, map[string]string{"word/document.xml": docxBody}))
	// a document.xml small enough for the fuzzer to change its XML rather than the zip
	short := docxBody[:strings.Index(docxBody, "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/>")] + "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>7a</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"
	f.Add(buildDocx(f, map[string]string{"word/document.xml": short}))
	f.Add(buildDocx(f, map[string]string{"word/document.xml": "<w:document><w:body><w:p>", "word/numbering.xml": "<w:numbering><w:num w:numId=\"1\">"}))
	f.Add(full[:len(full)/2])
	f.Add([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"))
	f.Add([]byte("PK\x03\x04"))
	// Store, not deflate: the fuzzer can then reach the XML inside by changing bytes.
	var stored bytes.Buffer
	w := zip.NewWriter(&stored)
	fw, _ := w.CreateHeader(&zip.FileHeader{Name: "word/document.xml", Method: zip.Store})
	fw.Write([]byte(short))
	w.Close()
	f.Add(stored.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := FromDocx(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			for _, e := range importErrors {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("not an import error: %v", err)
		}
		checkParses(t, res.Markdown)
	})
}
