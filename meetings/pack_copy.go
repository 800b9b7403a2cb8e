package meetings

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// StampCopy makes a copy of a restricted pack for one person: the pack's copy form (an
// empty slot on every page, see PackMeta.Copy) is given new content naming them, in an
// update appended to the file. Nothing of the pack is parsed or rewritten, so a copy of a
// 300-page pack costs a copy of its bytes.
func StampCopy(pack []byte, text string) ([]byte, error) {
	mark := bytes.LastIndex(pack, []byte(copyMark))
	if mark < 0 {
		return nil, errors.New("stamp copy: the pack has no copy slot")
	}
	objAt := bytes.LastIndex(pack[:mark], []byte(" 0 obj"))
	lineAt := bytes.LastIndexByte(pack[:objAt], '\n') + 1
	objNr, err := strconv.Atoi(string(bytes.TrimSpace(pack[lineAt:objAt])))
	if err != nil {
		return nil, fmt.Errorf("stamp copy: copy slot: %w", err)
	}
	dictStart := bytes.Index(pack[objAt:], []byte("<<"))
	streamAt := bytes.Index(pack[objAt:], []byte("stream"))
	if dictStart < 0 || streamAt < dictStart {
		return nil, errors.New("stamp copy: copy slot is not a stream")
	}
	dict := pack[objAt+dictStart : objAt+streamAt]
	dict = lengthRe.ReplaceAll(bytes.TrimSpace(dict), nil)
	trailer, prev, err := lastTrailer(pack)
	if err != nil {
		return nil, err
	}
	var content []byte
	content = append(content, "BT /"+stampFont+" 8 Tf 0 2 Td "...)
	content = appendPDFString(content, winAnsi(text))
	content = append(content, " Tj ET\n"...)

	out := make([]byte, 0, len(pack)+512+len(content))
	out = append(out, pack...)
	if out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	at := len(out)
	out = fmt.Appendf(out, "%d 0 obj\n%s/Length %d>>\nstream\n", objNr, dict[:len(dict)-2], len(content))
	out = append(out, content...)
	out = append(out, "\nendstream\nendobj\n"...)
	xref := len(out)
	out = fmt.Appendf(out, "xref\n%d 1\n%010d 00000 n\r\ntrailer\n<<", objNr, at)
	for _, key := range []string{"Size", "Root", "Info", "ID"} {
		if v := trailerEntry(trailer, key); v != nil {
			out = append(out, '/')
			out = append(out, key...)
			out = append(out, ' ')
			out = append(out, v...)
		}
	}
	out = fmt.Appendf(out, "/Prev %d>>\nstartxref\n%d\n%%%%EOF\n", prev, xref)
	return out, nil
}

var (
	lengthRe    = regexp.MustCompile(`/Length\s+\d+(\s+0\s+R)?`)
	startxrefRe = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
)

// lastTrailer finds the file's last trailer dictionary and where its cross-reference
// table starts.
func lastTrailer(pdf []byte) ([]byte, int, error) {
	tail := pdf[max(0, len(pdf)-2048):]
	m := startxrefRe.FindSubmatch(tail)
	if m == nil {
		return nil, 0, errors.New("stamp copy: no startxref")
	}
	prev, _ := strconv.Atoi(string(m[1]))
	t := bytes.LastIndex(tail, []byte("trailer"))
	if t < 0 {
		return nil, 0, errors.New("stamp copy: the pack has no classic trailer")
	}
	return tail[t:], prev, nil
}

// trailerEntry reads one entry's value from a trailer dictionary: a reference, a number
// or an array.
func trailerEntry(trailer []byte, key string) []byte {
	re := regexp.MustCompile(`/` + key + `\s*(\d+\s+\d+\s+R|\d+|\[[^\]]*\])`)
	m := re.FindSubmatch(trailer)
	if m == nil {
		return nil
	}
	return m[1]
}
