package pdffont

import (
	"bytes"
	"embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"sync"
)

// The Latin faces: the common case, built once per process.
//
// fpdf writes a UTF-8 font afresh for every document: it reads the whole TrueType file again
// to cut the subset of the characters used, builds and compresses a 128 KB glyph map, and
// compresses the subset, each with a zlib writer of its own (about 3.5 ms a face, most of the
// time a document took). Almost every set of British minutes is written in the characters of
// Windows-1252 (Latin-1 with the curly quotes, dashes, bullet, ellipsis and €), so each face is
// also offered as a simple TrueType font in that encoding (PDF's WinAnsiEncoding): a subset of
// exactly those glyphs, cut and compressed once per process the first time a document uses
// the face, and then copied as it is into every document. A document is written in these faces
// by NewLatin; one that needs a character outside them is written again with New (see Doc).

// winAnsi maps each code of Windows-1252 from 0x80 to 0x9F to its character (0: none).
var winAnsi = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// latinCode is the Windows-1252 code of r, or 0 if it has none (or is a control character).
func latinCode(r rune) byte {
	if r >= 0x20 && r < 0x7F || r >= 0xA0 && r <= 0xFF {
		return byte(r)
	}
	switch r {
	case 0x20AC:
		return 0x80
	case 0x201A:
		return 0x82
	case 0x0192:
		return 0x83
	case 0x201E:
		return 0x84
	case 0x2026:
		return 0x85
	case 0x2020:
		return 0x86
	case 0x2021:
		return 0x87
	case 0x02C6:
		return 0x88
	case 0x2030:
		return 0x89
	case 0x0160:
		return 0x8A
	case 0x2039:
		return 0x8B
	case 0x0152:
		return 0x8C
	case 0x017D:
		return 0x8E
	case 0x2018:
		return 0x91
	case 0x2019:
		return 0x92
	case 0x201C:
		return 0x93
	case 0x201D:
		return 0x94
	case 0x2022:
		return 0x95
	case 0x2013:
		return 0x96
	case 0x2014:
		return 0x97
	case 0x02DC:
		return 0x98
	case 0x2122:
		return 0x99
	case 0x0161:
		return 0x9A
	case 0x203A:
		return 0x9B
	case 0x0153:
		return 0x9C
	case 0x017E:
		return 0x9E
	case 0x0178:
		return 0x9F
	}
	return 0
}

// latinRune is the character of Windows-1252 code c, 0 for none.
func latinRune(c int) rune {
	switch {
	case c >= 0x20 && c < 0x7F || c >= 0xA0 && c <= 0xFF:
		return rune(c)
	case c >= 0x80 && c < 0xA0:
		return winAnsi[c-0x80]
	}
	return 0
}

// InLatin reports whether s, once Clean has made it safe, can be written in the Latin faces:
// whether each of its characters has a code there, or is one Clean replaces or drops.
func InLatin(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 || c == 0x7F {
			for _, r := range s[i:] {
				if latinCode(r) == 0 && r >= 0x80 && drawable(r) {
					return false
				}
			}
			return true
		}
	}
	return true
}

// encodeLatin converts s to Windows-1252, reporting false (and a '?' in its place) for any
// character without a code. ASCII text is returned as it is.
func encodeLatin(s string) (string, bool) {
	i := 0
	for i < len(s) && s[i] < 0x80 {
		i++
	}
	if i == len(s) {
		return s, true
	}
	b := make([]byte, i, len(s))
	copy(b, s[:i])
	ok := true
	for _, r := range s[i:] {
		c := latinCode(r)
		if c == 0 && r >= 0x20 {
			c, ok = '?', false
		} else if r < 0x20 {
			c = byte(r)
		}
		b = append(b, c)
	}
	return string(b), ok
}

// latinFace is a face ready to add to a document: fpdf's font definition (JSON) and the
// compressed subset font program.
type latinFace struct {
	def []byte
	z   []byte
	cw  []int // widths by code, in thousandths of the size
	err error

	// fpdf's entries for the face, from a document it was added to, copied into each new
	// document (adding it parses the JSON and hashes it again: a tenth of a millisecond).
	font, file reflect.Value
	key, name  string
}

var (
	latinOnce  [4]sync.Once // per face: a document uses two or three of the four
	latinFaces [4]latinFace
)

func styleIndex(style string) int {
	switch style {
	case "B":
		return 1
	case "I":
		return 2
	case "BI", "IB":
		return 3
	}
	return 0
}

//go:embed latin
var latinFiles embed.FS

// latin returns the Latin face for style, read on first use from the files TestLatinFiles
// writes (buildLatin's work, done once for all: cutting and compressing the four faces took
// 10 ms, paid again by every process).
func latin(style string) *latinFace {
	i := styleIndex(style)
	latinOnce[i].Do(func() {
		f := faces[i]
		lf := &latinFaces[i]
		if lf.def, lf.err = latinFiles.ReadFile("latin/" + f.psName + ".json"); lf.err != nil {
			return
		}
		if lf.z, lf.err = latinFiles.ReadFile("latin/" + f.psName + ".z"); lf.err != nil {
			return
		}
		var fd fontDef
		if lf.err = json.Unmarshal(lf.def, &fd); lf.err != nil {
			return
		}
		if len(fd.Cw) != 256 {
			lf.err = errors.New("latin/" + f.psName + ".json: not 256 widths")
			return
		}
		lf.cw = fd.Cw
		lf.name = fd.File
		p := newDoc("P")
		p.AddFontFromBytes(Family, f.style, lf.def, lf.z)
		fonts, ok1 := fontsOf(p)
		files, ok2 := fontFilesOf(p)
		if p.Err() || !ok1 || !ok2 || fonts.Len() != 1 || files.Len() != 1 {
			return // Doc.addLatin falls back to AddFontFromBytes
		}
		iter := fonts.MapRange()
		iter.Next()
		lf.key, lf.font = iter.Key().String(), iter.Value()
		lf.file = files.MapIndex(reflect.ValueOf(lf.name))
	})
	return &latinFaces[i]
}

// fontDef is the JSON shape of fpdf's font definition (its fontDefType, as AddFontFromBytes
// reads it).
type fontDef struct {
	Tp   string
	Name string
	Desc struct {
		Ascent, Descent, CapHeight, Flags int
		FontBBox                          struct{ Xmin, Ymin, Xmax, Ymax int }
		ItalicAngle, StemV, MissingWidth  int
	}
	Up, Ut       int
	Cw           []int
	Enc          string
	Diff         string
	File         string
	OriginalSize int
}

// ttf is a TrueType font's tables by tag.
type ttf map[string][]byte

func parseTTF(b []byte) (ttf, error) {
	if len(b) < 12 {
		return nil, errors.New("not a TrueType font")
	}
	if v := binary.BigEndian.Uint32(b); v != 0x00010000 && v != 0x74727565 {
		return nil, errors.New("not a TrueType font")
	}
	t := ttf{}
	n := int(binary.BigEndian.Uint16(b[4:]))
	for i := range n {
		rec := 12 + 16*i
		if rec+16 > len(b) {
			return nil, errors.New("truncated table directory")
		}
		off, l := int(binary.BigEndian.Uint32(b[rec+8:])), int(binary.BigEndian.Uint32(b[rec+12:]))
		if off < 0 || l < 0 || off+l > len(b) {
			return nil, errors.New("table out of bounds")
		}
		t[string(b[rec:rec+4])] = b[off : off+l]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "post"} {
		if t[tag] == nil {
			return nil, errors.New("no " + tag + " table")
		}
	}
	if len(t["head"]) < 54 || len(t["hhea"]) < 36 || len(t["maxp"]) < 6 || len(t["post"]) < 32 {
		return nil, errors.New("short table")
	}
	return t, nil
}

func u16(b []byte, off int) int {
	if off < 0 || off+2 > len(b) {
		return 0
	}
	return int(binary.BigEndian.Uint16(b[off:]))
}

func i16(b []byte, off int) int { return int(int16(u16(b, off))) }

func u32(b []byte, off int) int {
	if off < 0 || off+4 > len(b) {
		return 0
	}
	return int(binary.BigEndian.Uint32(b[off:]))
}

// glyphs maps each character of runes to its glyph in the font's (3,1) or (0,x) format 4 cmap.
func (t ttf) glyphs(runes []rune) map[rune]int {
	cmap := t["cmap"]
	sub := -1
	for i, n := 0, u16(cmap, 2); i < n; i++ {
		rec := 4 + 8*i
		p, e := u16(cmap, rec), u16(cmap, rec+2)
		if (p == 3 && e == 1 || p == 0) && u16(cmap, u32(cmap, rec+4)) == 4 {
			sub = u32(cmap, rec+4)
			break
		}
	}
	out := map[rune]int{}
	if sub < 0 {
		return out
	}
	segX2 := u16(cmap, sub+6)
	ends, starts := sub+14, sub+16+segX2
	deltas, ranges := starts+segX2, starts+2*segX2
	for _, r := range runes {
		for s := 0; s < segX2; s += 2 {
			if int(r) > u16(cmap, ends+s) {
				continue
			}
			start := u16(cmap, starts+s)
			if int(r) < start {
				break
			}
			delta, ro := u16(cmap, deltas+s), u16(cmap, ranges+s)
			g := 0
			if ro == 0 {
				g = (int(r) + delta) & 0xFFFF
			} else if g = u16(cmap, ranges+s+ro+2*(int(r)-start)); g != 0 {
				g = (g + delta) & 0xFFFF
			}
			if g != 0 {
				out[r] = g
			}
			break
		}
	}
	return out
}

// buildLatin cuts the Windows-1252 subset of a face (the font file, uncompressed) and describes
// it for fpdf. The subset keeps the font's glyph numbering (the glyphs not needed are left
// empty), so composite glyphs need no rewriting; its cmap maps just the characters of the
// encoding. TestLatinFiles runs it and keeps its output in latin/.
func buildLatin(font []byte, psName, style string) (def, sub []byte, err error) {
	t, err := parseTTF(font)
	if err != nil {
		return nil, nil, err
	}
	head, hhea, post := t["head"], t["hhea"], t["post"]
	upem := u16(head, 18)
	if upem == 0 {
		return nil, nil, errors.New("unitsPerEm is 0")
	}
	numGlyphs := u16(t["maxp"], 4)
	nMetrics := u16(hhea, 34)
	if nMetrics == 0 || nMetrics > numGlyphs || len(t["hmtx"]) < 4*nMetrics+2*(numGlyphs-nMetrics) {
		return nil, nil, errors.New("bad hmtx")
	}
	locaLong := u16(head, 50) == 1
	loca := func(g int) int {
		if locaLong {
			return u32(t["loca"], 4*g)
		}
		return 2 * u16(t["loca"], 2*g)
	}
	glyf := t["glyf"]
	glyphData := func(g int) []byte {
		a, b := loca(g), loca(g+1)
		if a < 0 || b > len(glyf) || a >= b {
			return nil
		}
		return glyf[a:b]
	}

	var runes []rune
	for c := 0x20; c <= 0xFF; c++ {
		if r := latinRune(c); r != 0 {
			runes = append(runes, r)
		}
	}
	gids := t.glyphs(runes)

	// The glyphs kept: .notdef, those of the characters, and the parts of composite glyphs.
	keep := make([]bool, numGlyphs)
	var add func(g, depth int)
	add = func(g, depth int) {
		if g < 0 || g >= numGlyphs || keep[g] || depth > 8 {
			return
		}
		keep[g] = true
		d := glyphData(g)
		if len(d) < 10 || i16(d, 0) >= 0 {
			return
		}
		for p := 10; p+4 <= len(d); {
			flags := u16(d, p)
			add(u16(d, p+2), depth+1)
			p += 4
			if flags&0x0001 != 0 { // ARG_1_AND_2_ARE_WORDS
				p += 4
			} else {
				p += 2
			}
			switch {
			case flags&0x0008 != 0: // WE_HAVE_A_SCALE
				p += 2
			case flags&0x0040 != 0: // WE_HAVE_AN_X_AND_Y_SCALE
				p += 4
			case flags&0x0080 != 0: // WE_HAVE_A_TWO_BY_TWO
				p += 8
			}
			if flags&0x0020 == 0 { // MORE_COMPONENTS
				break
			}
		}
	}
	add(0, 0)
	for _, g := range gids {
		add(g, 0)
	}

	// glyf and loca
	var newGlyf []byte
	offsets := make([]int, numGlyphs+1)
	for g := range numGlyphs {
		offsets[g] = len(newGlyf)
		if keep[g] {
			newGlyf = append(newGlyf, glyphData(g)...)
			for len(newGlyf)%4 != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	offsets[numGlyphs] = len(newGlyf)
	short := len(newGlyf)/2 <= 0xFFFF
	var newLoca []byte
	for _, o := range offsets {
		if short {
			newLoca = binary.BigEndian.AppendUint16(newLoca, uint16(o/2))
		} else {
			newLoca = binary.BigEndian.AppendUint32(newLoca, uint32(o))
		}
	}
	newHead := bytes.Clone(head)
	binary.BigEndian.PutUint32(newHead[8:], 0) // checkSumAdjustment, set below
	if short {
		binary.BigEndian.PutUint16(newHead[50:], 0)
	} else {
		binary.BigEndian.PutUint16(newHead[50:], 1)
	}

	// hmtx: the metrics of the glyphs kept; the others zero (they compress away).
	hmtx := t["hmtx"]
	newHmtx := make([]byte, len(hmtx))
	advance := func(g int) int { return u16(hmtx, 4*min(g, nMetrics-1)) }
	for g := range numGlyphs {
		if !keep[g] {
			continue
		}
		if g < nMetrics {
			copy(newHmtx[4*g:4*g+4], hmtx[4*g:4*g+4])
		} else {
			o := 4*nMetrics + 2*(g-nMetrics)
			copy(newHmtx[o:o+2], hmtx[o:o+2])
		}
	}
	// The last long metric's advance stands for every glyph after it: keep it.
	copy(newHmtx[4*(nMetrics-1):4*(nMetrics-1)+2], hmtx[4*(nMetrics-1):4*(nMetrics-1)+2])

	// cmap: one (3,1) format 4 subtable with the encoding's characters.
	type seg struct{ start, end, delta int }
	var segs []seg
	mapped := slices.Sorted(func(yield func(rune) bool) {
		for r := range gids {
			if !yield(r) {
				return
			}
		}
	})
	for _, r := range mapped {
		d := (gids[r] - int(r)) & 0xFFFF
		if n := len(segs); n > 0 && segs[n-1].end+1 == int(r) && segs[n-1].delta == d {
			segs[n-1].end++
			continue
		}
		segs = append(segs, seg{int(r), int(r), d})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	segX2 := 2 * len(segs)
	searchRange, entrySelector := 2, 0
	for searchRange*2 <= segX2 {
		searchRange *= 2
		entrySelector++
	}
	st := []uint16{4, uint16(16 + 4*segX2), 0, uint16(segX2), uint16(searchRange), uint16(entrySelector), uint16(segX2 - searchRange)}
	for _, s := range segs {
		st = append(st, uint16(s.end))
	}
	st = append(st, 0)
	for _, s := range segs {
		st = append(st, uint16(s.start))
	}
	for _, s := range segs {
		st = append(st, uint16(s.delta))
	}
	for range segs {
		st = append(st, 0)
	}
	cmap := []byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12}
	for _, v := range st {
		cmap = binary.BigEndian.AppendUint16(cmap, v)
	}

	newPost := bytes.Clone(post[:32])
	binary.BigEndian.PutUint32(newPost, 0x00030000) // no glyph names

	tables := ttf{
		"head": newHead, "hhea": t["hhea"], "maxp": t["maxp"], "hmtx": newHmtx, "loca": newLoca,
		"glyf": newGlyf, "cmap": cmap, "post": newPost,
	}
	for _, tag := range []string{"OS/2", "name", "cvt ", "fpgm", "prep", "gasp"} {
		if b := t[tag]; b != nil {
			tables[tag] = b
		}
	}
	sub = assemble(tables)

	// The definition, measured as fpdf measures a UTF-8 font (so a line breaks at the same
	// place in either kind of document).
	scale := 1000 / float64(upem)
	var fd fontDef
	fd.Tp = "TrueType"
	fd.Name = subsetTag(style) + "+" + psName
	fd.Enc = "cp1252"
	fd.File = psName + "-cp1252.z"
	fd.OriginalSize = len(sub)
	fd.Cw = make([]int, 256)
	for c := range 256 {
		if g, ok := gids[latinRune(c)]; ok {
			fd.Cw[c] = int(math.Round(scale * float64(advance(g))))
		}
	}
	fd.Desc.FontBBox.Xmin = int(float64(i16(head, 36)) * scale)
	fd.Desc.FontBBox.Ymin = int(float64(i16(head, 38)) * scale)
	fd.Desc.FontBBox.Xmax = int(float64(i16(head, 40)) * scale)
	fd.Desc.FontBBox.Ymax = int(float64(i16(head, 42)) * scale)
	fd.Desc.Ascent = int(float64(i16(hhea, 4)) * scale)
	fd.Desc.Descent = int(float64(i16(hhea, 6)) * scale)
	fd.Desc.CapHeight = fd.Desc.Ascent
	weight := 500
	if os2 := t["OS/2"]; len(os2) >= 90 {
		weight = u16(os2, 4)
		if u16(os2, 0) > 1 {
			fd.Desc.CapHeight = int(float64(i16(os2, 88)) * scale)
		}
	}
	fd.Desc.StemV = 50 + int(math.Pow(float64(weight)/65.0, 2))
	fd.Desc.ItalicAngle = i16(post, 4)
	fd.Desc.MissingWidth = int(math.Round(scale * float64(advance(0))))
	fd.Desc.Flags = 32 // nonsymbolic: the viewer finds glyphs through WinAnsiEncoding
	if fd.Desc.ItalicAngle != 0 {
		fd.Desc.Flags |= 64
	}
	if weight >= 600 {
		fd.Desc.Flags |= 262144
	}
	if u32(post, 12) != 0 {
		fd.Desc.Flags |= 1
	}
	fd.Up = int(math.Round(float64(i16(post, 8)) * scale))
	fd.Ut = int(math.Round(float64(i16(post, 10)) * scale))
	def, err = json.MarshalIndent(&fd, "", "\t")
	return append(def, '\n'), sub, err
}

// subsetTag is the six capital letters PDF puts before the name of a subset font.
func subsetTag(style string) string {
	return "QRMLA" + string(rune('A'+styleIndex(style)))
}

// assemble writes tables as a TrueType font file, with checksums.
func assemble(tables ttf) []byte {
	tags := slices.Sorted(func(yield func(string) bool) {
		for tag := range tables {
			if !yield(tag) {
				return
			}
		}
	})
	n := len(tags)
	sr, es := 1, 0
	for sr*2 <= n {
		sr *= 2
		es++
	}
	out := binary.BigEndian.AppendUint32(nil, 0x00010000)
	out = binary.BigEndian.AppendUint16(out, uint16(n))
	out = binary.BigEndian.AppendUint16(out, uint16(sr*16))
	out = binary.BigEndian.AppendUint16(out, uint16(es))
	out = binary.BigEndian.AppendUint16(out, uint16(n*16-sr*16))
	off := 12 + 16*n
	headAt := 0
	for _, tag := range tags {
		b := tables[tag]
		out = append(out, tag...)
		out = binary.BigEndian.AppendUint32(out, checksum(b))
		out = binary.BigEndian.AppendUint32(out, uint32(off))
		out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
		off += (len(b) + 3) &^ 3
	}
	for _, tag := range tags {
		if tag == "head" {
			headAt = len(out)
		}
		out = append(out, tables[tag]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
