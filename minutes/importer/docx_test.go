package importer

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

// The .docx fixture is built here, in our own words: a title, the meeting line, attendance
// with line breaks, numbered Heading 1 items, a numbered list after "RESOLVED that", bold and
// italic runs, a tracked deletion, and a table with an Action column.
const docxBody = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Eastbrook Youth Safety Delivery Group</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Minutes of the meeting held at 9.30 am on 3 October 2024 at Eastbrook Library</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Present:</w:t></w:r></w:p>
<w:p><w:r><w:t>Graham Pell (Chairman)</w:t></w:r><w:r><w:br/><w:t>Lucy Tan, Eastbrook Integrated Care Board</w:t></w:r><w:r><w:br/><w:t>Dan Frost (Eastshire Police)</w:t></w:r></w:p>
<w:p><w:r><w:t>Apologies: Helen Stroud and Owen Fairley</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Youth Justice Plan</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">The group </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>welcomed</w:t></w:r><w:r><w:t xml:space="preserve"> the plan</w:t></w:r><w:del><w:r><w:delText> and its annexes</w:delText></w:r></w:del><w:r><w:t xml:space="preserve">, which was </w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>clearer</w:t></w:r><w:r><w:t xml:space="preserve"> than last year's.</w:t></w:r></w:p>
<w:p><w:r><w:t>RESOLVED that</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr><w:r><w:t>the plan be endorsed; and</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr><w:r><w:t>Lucy Tan would send the health data annex to the group by 1 November 2024.</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Knife crime education in schools</w:t></w:r></w:p>
<w:tbl>
<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc><w:tc><w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Action</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p/></w:tc><w:tc><w:p><w:r><w:t>The pilot sessions had reached 900 pupils in four schools.</w:t></w:r></w:p><w:p><w:r><w:t>RESOLVED that the police offer the session to every secondary school by the spring term.</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>DF</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Any other business</w:t></w:r></w:p>
<w:p><w:r><w:t>(Post-meeting note: the spring term dates were sent to schools on 10 October.)</w:t></w:r></w:p>
<w:p><w:r><w:t>The meeting ended at 11.00 am.</w:t></w:r></w:p>
<w:sectPr/></w:body></w:document>`

const docxNumbering = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="10"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="11"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="(%1)"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="11"/></w:num>
</w:numbering>`

func buildDocx(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, name := range []string{"[Content_Types].xml", "word/document.xml", "word/numbering.xml"} {
		body, ok := files[name]
		if !ok {
			continue
		}
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGoldenDocx(t *testing.T) {
	doc := buildDocx(t, map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml":   docxBody,
		"word/numbering.xml":  docxNumbering,
	})
	res, err := FromDocx(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	checkParses(t, res.Markdown)
	golden(t, "eastbrook-youth-2024-10-docx", res.Markdown)
	md := string(res.Markdown)
	for _, w := range []string{
		`board: "Eastbrook Youth Safety Delivery Group"`,
		"meeting: 2024-10-03T09:30",
		`place: "Eastbrook Library"`,
		`{name: "Graham Pell", role: "Chairman"}`,
		`{name: "Lucy Tan", organisation: "Eastbrook Integrated Care Board"}`,
		`{name: "Owen Fairley"}`,
		"## 1. Youth Justice Plan",
		"The group **welcomed** the plan, which was *clearer* than last year's.",
		"RESOLVED that\n\n1. the plan be endorsed; and\n2. Lucy Tan would send",
		"ACTION @Lucy-Tan: send the health data annex to the group (by 1 November 2024)",
		"## 2. Knife crime education in schools",
		"ACTION @DF: the police offer the session to every secondary school by the spring term",
		"## 3. Any other business",
		"> Post-meeting note: the spring term dates were sent to schools on 10 October.",
		`ended: "11.00 am"`,
	} {
		if !strings.Contains(md, w) {
			t.Errorf("lacks %q", w)
		}
	}
	if strings.Contains(md, "annexes") {
		t.Error("a tracked deletion was imported")
	}
	s := res.Summary
	if s.Items != 3 || s.Resolutions != 3 || s.Actions != 2 {
		t.Errorf("found %d items, %d resolutions, %d actions; want 3, 3, 2", s.Items, s.Resolutions, s.Actions)
	}
}

// Without numbering.xml, list paragraphs still count 1, 2, 3.
func TestDocxWithoutNumbering(t *testing.T) {
	doc := buildDocx(t, map[string]string{"word/document.xml": docxBody})
	res, err := FromDocx(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	checkParses(t, res.Markdown)
	if !strings.Contains(string(res.Markdown), "## 2. Knife crime education in schools") {
		t.Errorf("items not numbered:\n%s", res.Markdown)
	}
}

func BenchmarkImportDocx(b *testing.B) {
	// about 40 pages: the body's items repeated
	body := docxBody[strings.Index(docxBody, "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/>"):strings.Index(docxBody, "<w:sectPr/>")]
	doc := buildDocx(b, map[string]string{
		"word/document.xml":  strings.Replace(docxBody, body, strings.Repeat(body, 60), 1),
		"word/numbering.xml": docxNumbering,
	})
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := FromDocx(bytes.NewReader(doc), int64(len(doc))); err != nil {
			b.Fatal(err)
		}
	}
}
