package importer

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"quorum/internal/zipcheck"
)

// Limits on a .docx, so that a zip bomb costs an error, not the server's memory.
const (
	maxDocxSize    = 50 << 20 // the file, and everything read out of it uncompressed
	maxDocxEntries = 5000
)

// docxRows reads word/document.xml: paragraphs (with their heading style and list numbering),
// bold and italic runs, line breaks and tables, in document order.
func docxRows(r io.ReaderAt, size int64) ([]row, error) {
	if size <= 0 {
		return nil, ErrEmpty
	}
	var magic [8]byte
	n, _ := r.ReadAt(magic[:], 0)
	if n >= 4 && bytes.Equal(magic[:4], []byte("\xD0\xCF\x11\xE0")) {
		// An OLE compound file: an old .doc, or a password-protected .docx (which Word
		// stores encrypted inside one, as the stream "EncryptedPackage").
		if oleHolds(r, size, "EncryptedPackage") {
			return nil, ErrEncrypted
		}
		return nil, ErrDoc
	}
	if size > maxDocxSize {
		return nil, ErrTooLarge
	}
	z, err := zipcheck.Open(r, size, zipcheck.Limits{Entries: maxDocxEntries, Uncompressed: maxDocxSize})
	switch {
	case errors.Is(err, zipcheck.ErrTooLarge):
		return nil, ErrTooLarge
	case err == zipcheck.ErrNotZip:
		return nil, ErrNotDocx
	case err != nil:
		return nil, fmt.Errorf("%w (%v)", ErrNotDocx, err)
	}
	var doc, numbering *zip.File
	for _, f := range z.File {
		switch f.Name {
		case "word/document.xml":
			doc = f
		case "word/numbering.xml":
			numbering = f
		case "EncryptedPackage":
			return nil, ErrEncrypted
		}
	}
	if doc == nil {
		return nil, fmt.Errorf("%w: it has no word/document.xml", ErrNotDocx)
	}
	budget := int64(maxDocxSize)
	var nums numberingDefs
	if numbering != nil {
		b, err := readZipFile(numbering, &budget)
		if err != nil {
			return nil, err
		}
		nums = readNumbering(b)
	}
	b, err := readZipFile(doc, &budget)
	if err != nil {
		return nil, err
	}
	return readDocument(b, nums)
}

// readZipFile reads one entry, counting what it really inflates to against budget: the sizes
// in a zip's directory are the writer's word, not the truth.
func readZipFile(f *zip.File, budget *int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotDocx, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, *budget+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotDocx, f.Name, err)
	}
	if int64(len(b)) > *budget {
		return nil, ErrTooLarge
	}
	*budget -= int64(len(b))
	return b, nil
}

// oleHolds says whether an OLE compound file names a stream (directory names are UTF-16LE).
func oleHolds(r io.ReaderAt, size int64, name string) bool {
	var want []byte
	for _, c := range name {
		want = append(want, byte(c), 0)
	}
	size = min(size, maxDocxSize)
	buf := make([]byte, 1<<20+len(want))
	for off := int64(0); off < size; off += 1 << 20 {
		n, _ := r.ReadAt(buf, off)
		if n == 0 {
			break
		}
		if bytes.Contains(buf[:n], want) {
			return true
		}
	}
	return false
}

// numberingDefs is what word/numbering.xml says about each list: per numId, per level, the
// number format ("decimal", "lowerLetter", "bullet", ...), the text ("%1.") and the start.
type numberingDefs map[string]map[int]numLevel

type numLevel struct {
	format, text string
	start        int
}

func readNumbering(b []byte) numberingDefs {
	var doc struct {
		Abstract []struct {
			ID     string `xml:"abstractNumId,attr"`
			Levels []struct {
				Ilvl  int `xml:"ilvl,attr"`
				Start struct {
					Val string `xml:"val,attr"`
				} `xml:"start"`
				Fmt struct {
					Val string `xml:"val,attr"`
				} `xml:"numFmt"`
				Text struct {
					Val string `xml:"val,attr"`
				} `xml:"lvlText"`
			} `xml:"lvl"`
		} `xml:"abstractNum"`
		Nums []struct {
			ID       string `xml:"numId,attr"`
			Abstract struct {
				Val string `xml:"val,attr"`
			} `xml:"abstractNumId"`
		} `xml:"num"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil
	}
	abstract := map[string]map[int]numLevel{}
	for _, a := range doc.Abstract {
		m := map[int]numLevel{}
		for _, l := range a.Levels {
			start, err := strconv.Atoi(l.Start.Val)
			if err != nil {
				start = 1
			}
			m[l.Ilvl] = numLevel{format: l.Fmt.Val, text: l.Text.Val, start: start}
		}
		abstract[a.ID] = m
	}
	defs := numberingDefs{}
	for _, n := range doc.Nums {
		if m, ok := abstract[n.Abstract.Val]; ok {
			defs[n.ID] = m
		}
	}
	return defs
}

// docReader walks document.xml.
type docReader struct {
	nums     numberingDefs
	counters map[string][]int // per numId, the count at each level
	rows     []row
	paraNo   int
	tblDepth int
	// the table row and cell being read
	cells [][]para
	// the paragraph being read
	runs                []run
	style, numID        string
	ilvl                int
	inRun, inPPr, inRPr bool
	bold, italic        bool
	skip                int // inside w:del, w:instrText, w:delText: text that is not shown
	pendingText         strings.Builder
	sawText             bool
}

type run struct {
	text         string
	bold, italic bool
	brk          bool // a line break before this run
}

func readDocument(b []byte, nums numberingDefs) (rows []row, err error) {
	d := &docReader{nums: nums, counters: map[string][]int{}}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: word/document.xml: %v", ErrNotDocx, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			d.start(t)
		case xml.EndElement:
			d.end(t)
		case xml.CharData:
			if d.skip == 0 && d.inRun && d.sawText {
				d.pendingText.Write(t)
			}
		}
	}
	if len(d.rows) == 0 {
		return nil, ErrEmpty
	}
	return d.rows, nil
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func on(e xml.StartElement) bool {
	v := attr(e, "val")
	return v == "" || v == "1" || v == "true" || v == "on"
}

func (d *docReader) start(e xml.StartElement) {
	switch e.Name.Local {
	case "del", "instrText", "delText":
		d.skip++
	}
	if d.skip > 0 {
		return
	}
	switch e.Name.Local {
	case "tbl":
		d.tblDepth++
	case "tr":
		if d.tblDepth == 1 {
			d.cells = nil
		}
	case "tc":
		if d.tblDepth == 1 {
			d.cells = append(d.cells, nil)
		}
	case "p":
		d.runs, d.style, d.numID, d.ilvl = nil, "", "", 0
	case "pPr":
		d.inPPr = true
	case "pStyle":
		if d.inPPr {
			d.style = attr(e, "val")
		}
	case "numId":
		if d.inPPr {
			d.numID = attr(e, "val")
		}
	case "ilvl":
		if d.inPPr {
			d.ilvl, _ = strconv.Atoi(attr(e, "val"))
		}
	case "r":
		d.inRun, d.bold, d.italic = true, false, false
	case "rPr":
		d.inRPr = true
	case "b":
		if d.inRPr && d.inRun {
			d.bold = on(e)
		}
	case "i":
		if d.inRPr && d.inRun {
			d.italic = on(e)
		}
	case "t":
		if d.inRun {
			d.sawText = true
			d.pendingText.Reset()
		}
	case "tab":
		if d.inRun && !d.inPPr {
			d.runs = append(d.runs, run{text: " ", bold: d.bold, italic: d.italic})
		}
	case "br", "cr":
		if d.inRun && attr(e, "type") != "page" {
			d.runs = append(d.runs, run{brk: true})
		}
	}
}

func (d *docReader) end(e xml.EndElement) {
	if d.skip > 0 {
		switch e.Name.Local {
		case "del", "instrText", "delText":
			d.skip--
		}
		return
	}
	switch e.Name.Local {
	case "t":
		if d.inRun && d.sawText {
			d.runs = append(d.runs, run{text: d.pendingText.String(), bold: d.bold, italic: d.italic})
			d.sawText = false
		}
	case "r":
		d.inRun = false
	case "rPr":
		d.inRPr = false
	case "pPr":
		d.inPPr = false
	case "p":
		d.endPara()
	case "tr":
		if d.tblDepth == 1 {
			d.endTableRow()
		}
	case "tbl":
		if d.tblDepth > 0 {
			d.tblDepth--
		}
	}
}

// endPara makes the paragraph's lines (split at line breaks) into paras, with the list
// number Word would show written in front.
func (d *docReader) endPara() {
	d.paraNo++
	marker := d.listMarker()
	heading := headingLevel(d.style)
	var lines [][]run
	cur := []run{}
	for _, r := range d.runs {
		if r.brk {
			lines = append(lines, cur)
			cur = []run{}
			continue
		}
		cur = append(cur, r)
	}
	lines = append(lines, cur)
	var ps []para
	for i, l := range lines {
		text := renderRuns(l)
		if i == 0 && marker != "" {
			text = marker + " " + text
		}
		p := newPara(text, d.paraNo)
		if p.plain == "" {
			continue
		}
		p.heading = heading
		p.list = marker != "" && i == 0
		p.cont = i > 0
		ps = append(ps, p)
	}
	if d.tblDepth > 0 {
		if len(d.cells) > 0 {
			d.cells[len(d.cells)-1] = append(d.cells[len(d.cells)-1], ps...)
		}
		return
	}
	if len(ps) > 0 {
		d.rows = append(d.rows, row{paras: ps, src: d.paraNo})
	}
}

func headingLevel(style string) int {
	s := strings.ToLower(strings.ReplaceAll(style, " ", ""))
	if n, ok := strings.CutPrefix(s, "heading"); ok {
		if l, err := strconv.Atoi(n); err == nil && l >= 1 && l <= 9 {
			return l
		}
	}
	if s == "title" {
		return 1
	}
	return 0
}

// listMarker is the number Word shows before a list paragraph ("7.", "a)", "-"), counted as
// Word counts: per list, per level, a level restarting when a higher one moves on.
func (d *docReader) listMarker() string {
	if d.numID == "" || d.numID == "0" || d.ilvl < 0 || d.ilvl > 8 {
		return ""
	}
	levels := d.nums[d.numID]
	c := d.counters[d.numID]
	for len(c) <= d.ilvl {
		c = append(c, 0)
	}
	for l := d.ilvl + 1; l < len(c); l++ {
		c[l] = 0
	}
	if c[d.ilvl] == 0 {
		start := 1
		if lv, ok := levels[d.ilvl]; ok && lv.start > 0 {
			start = lv.start
		}
		c[d.ilvl] = start
	} else {
		c[d.ilvl]++
	}
	d.counters[d.numID] = c
	lv, ok := levels[d.ilvl]
	if !ok {
		lv = numLevel{format: "decimal", text: "%" + strconv.Itoa(d.ilvl+1) + "."}
	}
	if lv.format == "bullet" || lv.format == "none" {
		return "-"
	}
	text := lv.text
	if text == "" {
		text = "%" + strconv.Itoa(d.ilvl+1) + "."
	}
	for l := 0; l <= d.ilvl && l < 9; l++ {
		f := "decimal"
		if x, ok := levels[l]; ok {
			f = x.format
		}
		v := 0
		if l < len(c) {
			v = c[l]
		}
		text = strings.ReplaceAll(text, "%"+strconv.Itoa(l+1), formatNumber(v, f))
	}
	return strings.TrimSpace(text)
}

func formatNumber(n int, format string) string {
	switch format {
	case "lowerLetter", "upperLetter":
		if n < 1 {
			n = 1
		}
		s := string(rune('a' + (n-1)%26))
		if format == "upperLetter" {
			s = strings.ToUpper(s)
		}
		return s
	case "lowerRoman", "upperRoman":
		s := roman(n)
		if format == "lowerRoman" {
			s = strings.ToLower(s)
		}
		return s
	}
	return strconv.Itoa(n)
}

func roman(n int) string {
	if n <= 0 || n > 3999 {
		return strconv.Itoa(n)
	}
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// renderRuns writes runs as markdown, merging neighbours of the same weight and keeping
// spaces outside the ** and * marks.
func renderRuns(runs []run) string {
	var b strings.Builder
	for i := 0; i < len(runs); {
		j := i
		var text strings.Builder
		for j < len(runs) && runs[j].bold == runs[i].bold && runs[j].italic == runs[i].italic {
			text.WriteString(runs[j].text)
			j++
		}
		t := text.String()
		core := strings.TrimSpace(t)
		mark := ""
		if core != "" && strings.Trim(core, "*_") != "" {
			if runs[i].bold {
				mark += "**"
			}
			if runs[i].italic {
				mark += "*"
			}
		}
		if mark == "" {
			b.WriteString(t)
		} else {
			lead := t[:strings.Index(t, core)]
			trail := t[len(lead)+len(core):]
			closing := mark
			if mark == "***" {
				closing = "***"
			}
			b.WriteString(lead + mark + core + closing + trail)
		}
		i = j
	}
	return b.String()
}

// endTableRow turns a table row into a row: the first cell is the margin when it holds an
// item or minute number (or nothing), the last is the Action column when the table has one.
func (d *docReader) endTableRow() {
	cells := d.cells
	d.cells = nil
	if len(cells) == 0 {
		return
	}
	text := func(ps []para) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.plain)
		}
		return strings.TrimSpace(strings.Join(s, " "))
	}
	r := row{cells: true}
	if len(cells) >= 2 {
		if first := text(cells[0]); first == "" || marginNumber(first) {
			r.margin = first
			cells = cells[1:]
		}
	}
	if len(cells) >= 2 {
		last := text(cells[len(cells)-1])
		if len(last) <= 60 && len(strings.Fields(last)) <= 8 {
			r.action = last
			cells = cells[:len(cells)-1]
		}
	}
	for _, c := range cells {
		r.paras = append(r.paras, c...)
	}
	if len(r.paras) > 0 {
		r.src = r.paras[0].src
	} else {
		r.src = d.paraNo
	}
	if len(r.paras) == 0 && r.margin == "" && (r.action == "" || isActionHeader(r.action)) {
		return
	}
	d.rows = append(d.rows, r)
}
