// Package pdftest writes small PDFs by hand for the tests of what reads uploaded papers:
// well formed (the cross-reference table is computed), so that only what a test puts in
// them is hostile.
package pdftest

import (
	"bytes"
	"fmt"
)

// Hand writes a one-page PDF by hand: catalogue (object 1, with extra entries in
// catalog), page tree (2), page (3, with extra entries in page), content (4), then extra
// objects from 5 on. The cross-reference table is computed, so the file is well formed and
// only what was put in it is hostile.
func Hand(catalog, page string, extra ...string) []byte {
	objs := append([]string{
		"<< /Type /Catalog /Pages 2 0 R " + catalog + " >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> " + page + " >>",
		"<< /Length 44 >>\nstream\nBT /F1 24 Tf 72 720 Td (Board paper) Tj ET\nendstream",
	}, extra...)
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
