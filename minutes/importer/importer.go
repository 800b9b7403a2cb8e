// Package importer brings a board's old minutes into Quorum: it reads minutes typed in Word
// (.docx) or saved as text, finds the title block, the attendance, the items, resolutions,
// actions and post-meeting notes in the shapes clerks actually write them, and writes them out
// in the minutes dialect (see minutes.Parse), with front matter. What it does not understand
// it keeps as plain paragraphs and lists, so nothing of the record is lost.
//
// The output always parses with minutes.Parse without errors (owners as found, unchecked):
// a line that would not is kept as a quoted line and listed in Summary.NotUnderstood.
package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"quorum/minutes"
)

// Result is one converted minutes document.
type Result struct {
	Markdown []byte
	Summary  Summary
	// Highlights are what was recognised, each with where it stands in the original and in
	// Markdown, for a side-by-side view.
	Highlights []Span
	// Original is the original as read, numbered as Span.Source counts: every line of a
	// text, every paragraph of a .docx (a table row's margin and Action column shown with
	// its first and last paragraph).
	Original []Line
}

// Summary is what an import found, for the clerk to check before saving.
type Summary struct {
	Items, Resolutions, Actions int
	// Owners are the action owners as found in the original: initials, names, roles or
	// organisations, in the order first found.
	Owners []string
	// Unmatched are the owners that Options.Owners did not match (all of them without it).
	Unmatched []string
	// NotUnderstood are the lines of the original that were kept as plain text because they
	// looked like something (a title block line, an action, a resolution) but could not be read.
	NotUnderstood []Line
}

// Line is a line of the original: a line of text, or a paragraph of a .docx (counted from 1
// through the document, table cells included).
type Line struct {
	N    int
	Text string
}

// Span is one thing recognised: its kind ("board", "meeting", "place", "present",
// "also_present", "apologies", "substitute", "item", "resolution", "action", "note",
// "next_meeting", "ended", "signature"), the line of the original it came from (Source, as in
// Line), the line of Markdown it became (Line, 1-based; 0 for what went into the front
// matter only) and the original text.
type Span struct {
	Kind   string
	Source int
	Line   int
	Text   string
}

// Options tune an import.
type Options struct {
	// Owners matches an owner as found ("JS", "Rachel Dunley", "Met Police", "Partners") to
	// the handle the board knows them by (without the @). Nil, or ok false: the owner is
	// written as found, made into a handle ("Rachel-Dunley"), and listed as unmatched.
	Owners func(name string) (handle string, ok bool)
}

// Errors for input that is not minutes Quorum can read. Their messages are safe to show.
var (
	ErrEmpty     = errors.New("the file is empty")
	ErrNotText   = errors.New("the file is not text: import a .txt or a .docx")
	ErrDoc       = errors.New("this is an old Word .doc file: open it in Word and save it as .docx, then import that")
	ErrEncrypted = errors.New("the document is password-protected: remove the password in Word (File, Info, Protect Document), save it, and import it again")
	ErrNotDocx   = errors.New("the file is not a Word .docx document")
	ErrTooLarge  = errors.New("the document is too large to import (over 50 MB uncompressed)")
	ErrTooLong   = errors.New("the converted minutes are over 2 MB: split the document into one file per meeting")
)

// maxText is the most text read from a .txt file; the dialect takes 2 MB of markdown.
const maxText = 8 << 20

// FromText converts minutes saved as text: plain text, text with tabs between the margin
// number, the minute and the Action column (as exported from committee systems), and such
// text with HTML paragraphs left in it. UTF-8, UTF-16 with a byte order mark, and
// Windows-1252 are read.
func FromText(r io.Reader, opt ...Options) (*Result, error) {
	src, err := io.ReadAll(io.LimitReader(r, maxText+1))
	if err != nil {
		return nil, fmt.Errorf("read the text: %w", err)
	}
	if len(src) > maxText {
		return nil, fmt.Errorf("the text is over %d MB: split it into one file per meeting", maxText>>20)
	}
	s, err := decodeText(src)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(s) == "" {
		return nil, ErrEmpty
	}
	res, err := convert(textRows(s), firstOption(opt))
	if err == nil {
		res.Original = textLines(s)
	}
	return res, err
}

// FromDocx converts minutes typed in Word.
func FromDocx(r io.ReaderAt, size int64, opt ...Options) (*Result, error) {
	rows, err := docxRows(r, size)
	if err != nil {
		return nil, err
	}
	res, err := convert(rows, firstOption(opt))
	if err == nil {
		res.Original = rowLines(rows)
	}
	return res, err
}

func firstOption(opt []Options) Options {
	if len(opt) > 0 {
		return opt[0]
	}
	return Options{}
}

// convert turns the rows read from either format into the dialect and checks the result.
func convert(rows []row, opt Options) (res *Result, err error) {
	defer func() {
		// A bug here must cost the clerk an error message, never the server a request.
		if e := recover(); e != nil {
			// Lower case for Go's error style; message() capitalises what the clerk sees.
			res, err = nil, fmt.Errorf("quorum could not convert these minutes: please report this (%v)", e)
		}
	}()
	c := newConverter(opt)
	for _, r := range rows {
		c.row(r)
	}
	c.finish()
	if len(rows) == 0 || (c.itemCount == 0 && len(c.blocks) == 0 && c.fm.empty()) {
		return nil, ErrEmpty
	}
	md, lines := c.markdown()
	md, lines = c.settle(md, lines)
	if len(md) > 2<<20 {
		return nil, ErrTooLong
	}
	p := minutes.Parse(md, minutes.Options{})
	res = &Result{Markdown: md, Highlights: c.highlights(lines)}
	res.Summary = Summary{
		Items:         len(p.Items),
		Resolutions:   len(p.Resolutions),
		Actions:       len(p.Actions),
		Owners:        append([]string{}, c.owners...),
		Unmatched:     append([]string{}, c.unmatched...),
		NotUnderstood: append([]Line{}, c.notUnderstood...),
	}
	return res, nil
}

// settle makes sure the markdown parses without errors: a line the dialect cannot read (an
// ACTION or RESOLVED the importer did not make sense of) is kept as a quoted line, which the
// dialect never reads, and listed as not understood.
func (c *converter) settle(md []byte, lines []int) ([]byte, []int) {
	for range 20 {
		p := minutes.Parse(md, minutes.Options{})
		if len(p.Errors) == 0 {
			return md, lines
		}
		out := bytes.Split(md, []byte("\n"))
		for _, e := range p.Errors {
			i := e.Line - 1
			if i < 0 || i >= len(out) || bytes.HasPrefix(out[i], []byte("> ")) {
				continue
			}
			src := 0
			if i < len(lines) {
				src = lines[i]
			}
			c.notUnderstood = append(c.notUnderstood, Line{N: src, Text: string(out[i])})
			out[i] = append([]byte("> "), out[i]...)
		}
		md = bytes.Join(out, []byte("\n"))
	}
	return md, lines
}
