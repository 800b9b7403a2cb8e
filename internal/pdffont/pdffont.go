// Package pdffont owns the typeface every Quorum PDF is set in (Liberation Sans, metric-compatible
// with Arial, under the SIL Open Font License: see fonts/LICENSE.txt) and hands out fpdf
// documents with it registered, so that whatever a clerk types (curly quotes, dashes, £, €,
// accented names) comes out as text, not boxes.
//
// fpdf parses a TrueType font again for every document that adds it (about 2.6 ms and 1.5 MB
// per face here, 16 ms with all faces of a larger family), and offers no way to share a parsed
// font. So the family is parsed once per process into a prototype document, and each new
// document gets copies of the prototype's font definitions. The copy reaches into fpdf's
// unexported fields (pinned at v0.12.0); should they ever change shape, New falls back to
// parsing per document, and TestFontsParsedOnce fails so the slowdown is seen.
package pdffont

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"maps"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"codeberg.org/go-pdf/fpdf"
)

// Family is the font family name registered in every document New returns.
const Family = "Sans"

// familyKey is Family as fpdf keeps it.
const familyKey = "sans"

// Replacement stands in for a character the font can't draw (emoji and other symbols).
const Replacement = "?"

var (
	//go:embed fonts/LiberationSans-Regular.ttf
	regularTTF []byte
	//go:embed fonts/LiberationSans-Bold.ttf
	boldTTF []byte
	//go:embed fonts/LiberationSans-Italic.ttf
	italicTTF []byte
	//go:embed fonts/LiberationSans-BoldItalic.ttf
	boldItalicTTF []byte
)

// Styles lists the faces registered, in fpdf's style letters.
var faces = []struct {
	style  string
	ttf    []byte
	psName string
}{
	{"", regularTTF, "LiberationSans"},
	{"B", boldTTF, "LiberationSans-Bold"},
	{"I", italicTTF, "LiberationSans-Italic"},
	{"BI", boldItalicTTF, "LiberationSans-BoldItalic"},
}

var (
	once   sync.Once
	proto  map[string]reflect.Value // font key → fpdf's parsed font definition, from the prototype
	shared bool                     // whether New copies the prototype's fonts (else it parses)

	coverageOnce sync.Once
	coverage     []bool // BMP runes all faces can draw
)

// loadCoverage reads which characters every face can draw. Only a character outside the
// Latin faces needs it (all four faces draw every character of Windows-1252).
func loadCoverage() {
	covered := make([][]bool, len(faces))
	var wg sync.WaitGroup
	for i, f := range faces {
		wg.Go(func() { covered[i] = cmapBMP(f.ttf) })
	}
	wg.Wait()
	coverage = make([]bool, 0x10000)
	for r := range coverage {
		coverage[r] = true
		for _, c := range covered {
			coverage[r] = coverage[r] && c[r]
		}
	}
}

// load parses the faces as UTF-8 fonts, for documents made by New. Each face is parsed in a
// document of its own, all at once.
func load() {
	defs := make([]map[string]reflect.Value, len(faces))
	var wg sync.WaitGroup
	for i, f := range faces {
		wg.Go(func() {
			p := newDoc("P")
			p.AddUTF8FontFromBytes(Family, f.style, f.ttf)
			fonts, ok := fontsOf(p)
			if p.Err() || !ok {
				return
			}
			defs[i] = map[string]reflect.Value{}
			iter := fonts.MapRange()
			for iter.Next() {
				if copyable(iter.Value()) {
					defs[i][iter.Key().String()] = iter.Value()
				}
			}
		})
	}
	wg.Wait()
	proto = make(map[string]reflect.Value)
	for _, d := range defs {
		maps.Copy(proto, d)
	}
	shared = len(proto) == len(faces)
}

// Doc is an fpdf document set in the family. Write text with its Text, and measure it with its
// GetStringWidth, which take UTF-8 in either kind of document; fpdf's other text methods
// (Cell, MultiCell, Write) take UTF-8 only in a document made by New.
type Doc struct {
	*fpdf.Fpdf
	latin  bool
	added  [4]bool // Latin faces added to the document
	missed bool
	fancy  bool   // underlined, struck out or spot-coloured text: Text leaves it to fpdf
	buf    []byte // Text's
	rd     bytes.Reader

	protected bool // encrypted: fpdf encrypts font files in place
}

// New returns an empty A4 document in millimetres, orientation "P" or "L", with the family
// registered under Family in regular, "B", "I" and "BI" as UTF-8 fonts (every character the
// faces have), catalogue sorting on and a fixed creation date (callers set their own with
// SetCreationDate), so the same calls always give the same bytes. Each face a document uses
// is cut and compressed when it is written, a few milliseconds each: prefer NewLatin.
func New(orientation string) *Doc {
	once.Do(load)
	p := newDoc(orientation)
	d := &Doc{Fpdf: p}
	if shared {
		if fonts, ok := fontsOf(p); ok {
			for key, def := range proto {
				fonts.SetMapIndex(reflect.ValueOf(key), copyDef(def))
			}
			return d
		}
	}
	for _, f := range faces {
		p.AddUTF8FontFromBytes(Family, f.style, f.ttf)
	}
	return d
}

// NewLatin returns a document like New's whose faces are the Latin ones: Windows-1252
// (WinAnsiEncoding) subsets cut and compressed once per process, added to the document as
// they are, each the first time SetFont selects it. Text outside Windows-1252 can't be written
// in them: Text and GetStringWidth put '?' in its place and Missed then reports true, and the
// document should be made again with New (check InLatin first to save the work).
func NewLatin(orientation string) *Doc {
	return &Doc{Fpdf: newDoc(orientation), latin: true}
}

// Latin reports whether the document is set in the Latin faces.
func (d *Doc) Latin() bool { return d.latin }

// Missed reports whether text was written or measured that the Latin faces can't show.
func (d *Doc) Missed() bool { return d.missed }

// SetFont selects a face of the family (adding it first, in a Latin document) or another font.
// Selecting the font already selected does nothing (fpdf would write it into the page again).
func (d *Doc) SetFont(family, style string, size float64) {
	if strings.ContainsAny(style, "USus") {
		d.fancy = true
	}
	if family == Family && size != 0 {
		ptSize, _ := d.GetFontSize()
		if ptSize == size && d.GetFontStyle() == style && d.GetFontFamily() == familyKey && !d.Err() {
			return
		}
	}
	if d.latin && family == Family {
		i := styleIndex(style)
		if !d.added[i] {
			f := latin(style)
			if f.err != nil {
				d.missed = true
				return
			}
			d.addLatin(f, faces[i].style)
			d.added[i] = true
		}
	}
	d.Fpdf.SetFont(family, style, size)
}

// addLatin adds a Latin face to the document: a copy of fpdf's entries for it if they could be
// read, else through AddFontFromBytes.
func (d *Doc) addLatin(f *latinFace, style string) {
	if f.font.IsValid() && f.file.IsValid() {
		fonts, ok1 := fontsOf(d.Fpdf)
		files, ok2 := fontFilesOf(d.Fpdf)
		if ok1 && ok2 {
			fonts.SetMapIndex(reflect.ValueOf(f.key), f.font)
			files.SetMapIndex(reflect.ValueOf(f.name), f.file)
			if d.protected {
				d.ownFontFile(f)
			}
			return
		}
	}
	// fpdf encrypts a font file in place when the document is protected: this one's own copy.
	d.Fpdf.AddFontFromBytes(Family, style, f.def, bytes.Clone(f.z))
}

// SetProtection encrypts the document (see fpdf). The Latin faces it has are given copies of
// their font files first, which fpdf encrypts in place.
func (d *Doc) SetProtection(actionFlag byte, userPass, ownerPass string) {
	d.protected = true
	for i, added := range d.added {
		if added {
			d.ownFontFile(&latinFaces[i])
		}
	}
	d.Fpdf.SetProtection(actionFlag, userPass, ownerPass)
}

// ownFontFile gives the document its own copy of a Latin face's font file.
func (d *Doc) ownFontFile(f *latinFace) {
	files, ok := fontFilesOf(d.Fpdf)
	if !ok {
		d.SetError(errors.New("pdffont: can't protect a document in the Latin faces"))
		return
	}
	key := reflect.ValueOf(f.name)
	cur := files.MapIndex(key)
	if !cur.IsValid() {
		return
	}
	v := reflect.New(cur.Type()).Elem()
	v.Set(cur)
	content := v.FieldByName("content")
	if !content.IsValid() || content.Type() != reflect.TypeFor[[]byte]() {
		d.SetError(errors.New("pdffont: can't protect a document in the Latin faces"))
		return
	}
	settable(content).Set(reflect.ValueOf(bytes.Clone(content.Bytes())))
	files.SetMapIndex(key, v)
}

// Width is the width of UTF-8 text s in the face of the family of style and size (in points),
// as GetStringWidth would measure it with that face selected, without selecting it.
func (d *Doc) Width(style string, size float64, s string) float64 {
	if !d.latin {
		d.SetFont(Family, style, size)
		return d.GetStringWidth(s)
	}
	f := latin(style)
	if f.err != nil {
		d.missed = true
		return 0
	}
	w := 0
	for _, r := range s {
		c := latinCode(r)
		if c == 0 {
			if r == 0 {
				break // where fpdf stops
			}
			if r >= 0x20 {
				d.missed = true
				c = '?'
			} else {
				c = byte(r)
			}
		}
		w += f.cw[c]
	}
	return float64(w) * (size / d.GetConversionRatio()) / 1000
}

// Text writes UTF-8 text s with its baseline starting at x, y.
func (d *Doc) Text(x, y float64, s string) {
	if !d.latin {
		d.Fpdf.Text(x, y, s)
		return
	}
	s, ok := encodeLatin(s)
	if !ok {
		d.missed = true
	}
	tr, tg, tb := d.GetTextColor()
	fr, fg, fb := d.GetFillColor()
	if d.fancy || tr != fr || tg != fg || tb != fb || d.Err() {
		d.Fpdf.Text(x, y, s)
		return
	}
	// What fpdf's Text writes for plain text in a simple font (with Sprintf, and four
	// strings.Replace to escape it: a fifth of the time it took to lay a document out).
	k := d.GetConversionRatio()
	_, h := d.GetPageSize()
	b := append(d.buf[:0], "BT "...)
	b = strconv.AppendFloat(b, x*k, 'f', 2, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, (h-y)*k, 'f', 2, 64)
	b = append(b, " Td ("...)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '(', ')':
			b = append(b, '\\', c)
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	b = append(b, ") Tj ET"...)
	d.buf = b
	d.rd.Reset(b)
	d.RawWriteBuf(&d.rd) // RawWriteStr would copy b to a string first
}

// SetTextSpotColor sets a spot colour for text (see fpdf).
func (d *Doc) SetTextSpotColor(name string, tint byte) {
	d.fancy = true
	d.Fpdf.SetTextSpotColor(name, tint)
}

// SetFillSpotColor sets a spot colour for filling (see fpdf).
func (d *Doc) SetFillSpotColor(name string, tint byte) {
	d.fancy = true
	d.Fpdf.SetFillSpotColor(name, tint)
}

// GetStringWidth is the width of UTF-8 text s in the current font.
func (d *Doc) GetStringWidth(s string) float64 {
	if d.latin {
		var ok bool
		if s, ok = encodeLatin(s); !ok {
			d.missed = true
		}
	}
	return d.Fpdf.GetStringWidth(s)
}

// Shared reports whether documents share the fonts parsed once per process (true unless
// fpdf's internals changed shape).
func Shared() bool {
	once.Do(load)
	return shared
}

// Prune drops from a document made by New the faces no page's content uses, so they aren't embedded: each face
// written costs about 3.5 ms, most of the time it takes to write a document. Pages must all
// be finished, so call it from a footer set with SetFooterFuncLpi when lastPage is true
// (fpdf calls that from Close, after the last page's text and before writing the fonts).
// It doesn't see fonts used only in templates: don't call it for documents that use them.
func Prune(d *Doc) {
	if d.latin {
		return // faces are only added when used
	}
	p := d.Fpdf
	fonts, ok := fontsOf(p)
	if !ok {
		return
	}
	pv := reflect.ValueOf(p).Elem().FieldByName("pages")
	if !pv.IsValid() || pv.Type() != reflect.TypeFor[[]*bytes.Buffer]() {
		return
	}
	pages := settable(pv).Interface().([]*bytes.Buffer)
	iter := fonts.MapRange()
	var unused []reflect.Value
	for iter.Next() {
		id := iter.Value().FieldByName("i")
		if !id.IsValid() || id.Kind() != reflect.String {
			return
		}
		tag := []byte("/F" + id.String() + " ")
		used := false
		for _, page := range pages {
			if page != nil && bytes.Contains(page.Bytes(), tag) {
				used = true
				break
			}
		}
		if !used {
			unused = append(unused, iter.Key())
		}
	}
	for _, key := range unused {
		fonts.SetMapIndex(key, reflect.Value{})
	}
}

func newDoc(orientation string) *fpdf.Fpdf {
	if orientation != "L" {
		orientation = "P"
	}
	p := fpdf.New(orientation, "mm", "A4", "")
	p.SetCatalogSort(true)
	p.SetCompression(false) // Doc.Output compresses, with a pooled writer
	fixed := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	p.SetCreationDate(fixed)
	p.SetModificationDate(fixed)
	p.SetCreator("Quorum", true)
	p.SetProducer("Quorum", true)
	return p
}

// Clean makes s safe to write with this family: characters the font has no glyph for (emoji,
// anything above U+FFFF, on which fpdf panics) become Replacement, a run of them one
// Replacement; emoji joiners and variation selectors vanish; invalid UTF-8 and control
// characters other than newline and tab are replaced too, a tab by a space.
func Clean(s string) string {
	clean := true
	for _, r := range s {
		if !drawable(r) || r == '\t' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	replaced := false // the last thing written was a Replacement
	for i, r := range s {
		switch {
		case r == utf8.RuneError && isInvalidAt(s, i):
			// fall through to replacement below
		case r == '\t':
			b.WriteByte(' ')
			replaced = false
			continue
		case r == 0x200D || r >= 0xFE00 && r <= 0xFE0F || r >= 0xE0020 && r <= 0xE007F:
			continue // zero width joiner, variation selectors, tag characters
		case drawable(r):
			b.WriteRune(r)
			replaced = false
			continue
		}
		if !replaced {
			b.WriteString(Replacement)
			replaced = true
		}
	}
	return b.String()
}

func isInvalidAt(s string, i int) bool {
	r, size := utf8.DecodeRuneInString(s[i:])
	return r == utf8.RuneError && size <= 1
}

func drawable(r rune) bool {
	if r == '\n' {
		return true
	}
	if r < 0x20 || r >= 0x7F && r < 0xA0 || r > 0xFFFF || r == utf8.RuneError {
		return false
	}
	if latinCode(r) != 0 {
		return true
	}
	coverageOnce.Do(loadCoverage)
	return coverage[r]
}

// cmapBMP reads which BMP characters a TrueType font maps to a glyph, from its
// (3,1) or (0,x) format 4 cmap subtable. A font it can't read covers only ASCII.
func cmapBMP(ttf []byte) []bool {
	has := make([]bool, 0x10000)
	for r := 0x20; r < 0x7F; r++ {
		has[r] = true
	}
	u16 := func(off int) int {
		if off < 0 || off+2 > len(ttf) {
			return 0
		}
		return int(binary.BigEndian.Uint16(ttf[off:]))
	}
	u32 := func(off int) int {
		if off < 0 || off+4 > len(ttf) {
			return 0
		}
		return int(binary.BigEndian.Uint32(ttf[off:]))
	}
	cmap := 0
	for i, n := 0, u16(4); i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			break
		}
		if string(ttf[rec:rec+4]) == "cmap" {
			cmap = u32(rec + 8)
		}
	}
	if cmap == 0 {
		return has
	}
	sub := 0
	for i, n := 0, u16(cmap+2); i < n; i++ {
		rec := cmap + 4 + 8*i
		platform, encoding := u16(rec), u16(rec+2)
		if platform == 3 && encoding == 1 || platform == 0 && sub == 0 {
			if off := cmap + u32(rec+4); u16(off) == 4 {
				sub = off
			}
		}
	}
	if sub == 0 {
		return has
	}
	segX2 := u16(sub + 6)
	ends, starts := sub+14, sub+16+segX2
	deltas, ranges := starts+segX2, starts+2*segX2
	for s := 0; s < segX2; s += 2 {
		start, end := u16(starts+s), u16(ends+s)
		delta, rangeOff := u16(deltas+s), u16(ranges+s)
		for c := start; c <= end && c < 0xFFFF; c++ {
			glyph := 0
			if rangeOff == 0 {
				glyph = (c + delta) & 0xFFFF
			} else if g := u16(ranges + s + rangeOff + 2*(c-start)); g != 0 {
				glyph = (g + delta) & 0xFFFF
			}
			if glyph != 0 {
				has[c] = true
			}
		}
	}
	return has
}

// fontsOf returns a settable view of fpdf's unexported font table (map[string]fontDefType).
func fontsOf(p *fpdf.Fpdf) (reflect.Value, bool) {
	v := reflect.ValueOf(p).Elem().FieldByName("fonts")
	if !v.IsValid() || v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String ||
		v.Type().Elem().Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem(), true
}

// fontFilesOf returns a settable view of fpdf's unexported table of embedded font files
// (map[string]fontFileType).
func fontFilesOf(p *fpdf.Fpdf) (reflect.Value, bool) {
	v := reflect.ValueOf(p).Elem().FieldByName("fontFiles")
	if !v.IsValid() || v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String ||
		v.Type().Elem().Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem(), true
}

// copyable checks that a font definition has the shape copyDef expects.
func copyable(def reflect.Value) bool {
	runes := def.FieldByName("usedRunes")
	if !runes.IsValid() || runes.Type() != reflect.TypeFor[map[int]int]() {
		return false
	}
	file := def.FieldByName("utf8File")
	if !file.IsValid() || file.Kind() != reflect.Pointer || file.IsNil() || file.Elem().Kind() != reflect.Struct {
		return false
	}
	reader := file.Elem().FieldByName("fileReader")
	if !reader.IsValid() || reader.Kind() != reflect.Pointer || reader.IsNil() || reader.Elem().Kind() != reflect.Struct {
		return false
	}
	pos, array := reader.Elem().FieldByName("readerPosition"), reader.Elem().FieldByName("array")
	return pos.IsValid() && pos.Kind() == reflect.Int64 && array.IsValid() && array.Type() == reflect.TypeFor[[]byte]()
}

// copyDef copies a parsed font definition for a new document. What a document changes is
// copied (the runes it used; the font file object, which fpdf re-reads to cut the subset when
// writing, and its read position); the font bytes and glyph widths, only ever read, are shared.
func copyDef(def reflect.Value) reflect.Value {
	d := reflect.New(def.Type()).Elem()
	d.Set(def)
	runes := settable(d.FieldByName("usedRunes"))
	used := maps.Clone(runes.Interface().(map[int]int))
	for r := '0'; r <= '9'; r++ {
		// AliasNbPages puts the page count in after the text is written: its digits
		// would otherwise be missing from the subset when nothing else used them.
		used[int(r)] = int(r)
	}
	runes.Set(reflect.ValueOf(used))
	file := settable(d.FieldByName("utf8File"))
	f := reflect.New(file.Type().Elem())
	f.Elem().Set(file.Elem())
	reader := settable(f.Elem().FieldByName("fileReader"))
	r := reflect.New(reader.Type().Elem())
	r.Elem().Set(reader.Elem())
	reader.Set(r)
	file.Set(f)
	return d
}

func settable(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}
