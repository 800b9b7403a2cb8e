package meetings

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"quorum/internal/errs"
)

// The agenda pack is put together here from parts that each domain renders (cover and
// agenda, action log, minutes, papers): meetings merges them, numbers every page and adds
// the bookmarks, without knowing what the parts are.
//
// pdfcpu's public API does this too slowly (merging, then stamping page numbers with
// watermarks that recompress every page's content): 3.8 times a bare qpdf merge. So the
// parts are parsed once, in parallel; their object tables are merged into the first with
// object numbers given in order (pdfcpu's own merge numbers them in map order, and the
// same inputs would not give the same bytes); each page gets two small uncompressed content
// streams around its own (q before, Q and the stamp after, since a paper may leave a
// flipped coordinate system behind) with one shared font; then bookmarks, document
// properties and a single write, with a classic cross-reference table so that a copy can
// be stamped later by appending to the file (StampCopy).

// Bookmark is an entry in the pack's outline: a title and the page it opens at, counted
// within its part (1 is the part's first page).
type Bookmark struct {
	Title string
	Page  int
	Kids  []Bookmark
}

// PackPart is one part of a pack: a PDF and its bookmark. Item is the agenda item the part
// belongs to ("7a"), empty for the front matter.
type PackPart struct {
	Title     string
	PDF       []byte
	Item      string
	Bookmarks []Bookmark // under the part's own bookmark
	// NoBookmark leaves the part out of the outline (a slip page: the paper after it has one).
	NoBookmark bool
}

// PackMeta is what the pack says about itself.
type PackMeta struct {
	Title    string
	Subject  string
	Keywords string
	// Created is the pack's creation date, fixed from the meeting so that the same inputs
	// always give the same bytes.
	Created time.Time
	// Copy leaves a place on every page for the name of the person a copy is made for
	// (restricted packs, see StampCopy).
	Copy bool
	// Label goes at the top left of every page ("Restricted", "Supplement 1").
	Label string
}

// PartPage says where a part landed in the pack.
type PartPage struct {
	Title string `json:"title"`
	Item  string `json:"item,omitempty"`
	Start int    `json:"start"` // first page, from 1
	Pages int    `json:"pages"`
}

func packConfig() *model.Configuration {
	disableConfig.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.WriteObjectStream = false
	conf.WriteXRefStream = false
	conf.OptimizeBeforeWriting = false
	conf.Optimize = false
	conf.CreateBookmarks = false
	return conf
}

// readPart parses one part; a panic in pdfcpu on a hostile file becomes an error.
func readPart(data []byte) (ctx *model.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			ctx, err = nil, fmt.Errorf("unreadable PDF: %v", r)
		}
	}()
	ctx, err = api.ReadAndValidate(bytes.NewReader(data), packConfig())
	if err != nil {
		return nil, err
	}
	if ctx.Encrypt != nil || ctx.E != nil {
		return nil, errors.New("encrypted PDF")
	}
	if ctx.PageCount < 1 {
		return nil, errors.New("no pages")
	}
	return ctx, nil
}

// PDFPages counts a PDF's pages as BuildPack will.
func PDFPages(data []byte) (int, error) {
	ctx, err := readPart(data)
	if err != nil {
		return 0, err
	}
	return ctx.PageCount, nil
}

// BuildPack merges the parts into one PDF: "Page N of M" on every page, a bookmark for
// every part (under its item's, where it has one), the document properties of meta. It
// returns the PDF and where each part starts.
func BuildPack(parts []PackPart, meta PackMeta) (out []byte, where []PartPage, err error) {
	if len(parts) == 0 {
		return nil, nil, errs.E(errs.Invalid, "A pack needs at least one part")
	}
	defer func() {
		if r := recover(); r != nil {
			out, where, err = nil, nil, fmt.Errorf("build pack: %v", r)
		}
	}()
	ctxs := make([]*model.Context, len(parts))
	errList := make([]error, len(parts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range parts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ctxs[i], errList[i] = readPart(parts[i].PDF)
		})
	}
	wg.Wait()
	for i, e := range errList {
		if e != nil {
			return nil, nil, fmt.Errorf("pack part %d (%s): %w", i+1, parts[i].Title, e)
		}
	}
	dest := ctxs[0]
	var roots types.Array
	page := 1
	where = make([]PartPage, len(parts))
	for i, src := range ctxs {
		var pagesRef *types.IndirectRef
		if i == 0 {
			pagesRef, err = dest.Pages()
		} else {
			pagesRef, err = appendObjects(dest, src)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("pack part %d (%s): %w", i+1, parts[i].Title, err)
		}
		roots = append(roots, *pagesRef)
		where[i] = PartPage{Title: parts[i].Title, Item: parts[i].Item, Start: page, Pages: src.PageCount}
		page += src.PageCount
	}
	total := page - 1
	// A neutral root over the parts' page trees, so that no part inherits another's page
	// size, resources or rotation.
	root, err := dest.IndRefForNewObject(types.Dict{"Type": types.Name("Pages"), "Kids": roots, "Count": types.Integer(total)})
	if err != nil {
		return nil, nil, err
	}
	for _, r := range roots {
		d, err := dest.DereferenceDict(r)
		if err != nil || d == nil {
			return nil, nil, fmt.Errorf("page tree: %v", err)
		}
		d["Parent"] = *root
	}
	for _, k := range []string{"Outlines", "Names", "Dests", "AcroForm", "PageLabels", "OpenAction", "StructTreeRoot", "MarkInfo", "Metadata", "PageMode"} {
		dest.RootDict.Delete(k)
	}
	dest.RootDict["Pages"] = *root
	dest.PageCount = total
	dest.EnsureVersionForWriting()

	pages, err := pageList(dest, *root)
	if err != nil {
		return nil, nil, err
	}
	if len(pages) != total {
		return nil, nil, fmt.Errorf("page tree holds %d pages, parts %d", len(pages), total)
	}
	if err := stampPages(dest, pages, meta); err != nil {
		return nil, nil, err
	}
	if bms := outline(parts, where); len(bms) > 0 {
		first, last, n, err := addOutline(dest, bms, pages, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("bookmarks: %w", err)
		}
		d := types.Dict{"Type": types.Name("Outlines"), "First": *first, "Last": *last, "Count": types.Integer(n)}
		ref, err := dest.IndRefForNewObject(d)
		if err != nil {
			return nil, nil, err
		}
		if err := setParent(dest, bms, *ref); err != nil {
			return nil, nil, err
		}
		dest.RootDict["Outlines"] = *ref
		dest.RootDict["PageMode"] = types.Name("UseOutlines")
	}
	info := setInfo(dest, meta)
	out, err = writePack(dest, info, packID(parts, meta), totalSize(parts)+64<<10)
	if err != nil {
		return nil, nil, fmt.Errorf("write pack: %w", err)
	}
	return out, where, nil
}

func totalSize(parts []PackPart) int {
	n := 0
	for _, p := range parts {
		n += len(p.PDF)
	}
	return n
}

// appendObjects moves src's objects into dest, numbered after dest's in src's order, and
// returns src's page tree root as renumbered.
func appendObjects(dest, src *model.Context) (*types.IndirectRef, error) {
	pagesRef, err := src.Pages()
	if err != nil {
		return nil, err
	}
	keys := make([]int, 0, len(src.Table))
	for k, e := range src.Table {
		if k != 0 && e != nil && !e.Free {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	base := *dest.Size
	lookup := make(map[int]int, len(keys))
	for i, k := range keys {
		lookup[k] = base + i
	}
	for _, k := range keys {
		e := src.Table[k]
		if err := decodeLazy(e); err != nil {
			return nil, err
		}
		e.Object = patch(e.Object, lookup)
		if e.ObjectStream != nil {
			n := lookup[*e.ObjectStream]
			e.ObjectStream = &n
		}
		dest.Table[lookup[k]] = e
	}
	*dest.Size = base + len(keys)
	for set, into := range map[*types.IntSet]types.IntSet{&src.Read.ObjectStreams: dest.Read.ObjectStreams, &src.Read.XRefStreams: dest.Read.XRefStreams} {
		if into == nil {
			continue
		}
		for k := range *set {
			if n, ok := lookup[k]; ok {
				into[n] = true
			}
		}
	}
	// The part's catalogue and information dictionary are no longer anyone's.
	for _, r := range []*types.IndirectRef{src.Root, src.Info} {
		if r != nil {
			if n, ok := lookup[r.ObjectNumber.Value()]; ok {
				dest.FreeObject(n)
			}
		}
	}
	n := lookup[pagesRef.ObjectNumber.Value()]
	return types.NewIndirectRef(n, 0), nil
}

// patch renumbers the references in o.
func patch(o types.Object, lookup map[int]int) types.Object {
	switch v := o.(type) {
	case types.IndirectRef:
		if n, ok := lookup[v.ObjectNumber.Value()]; ok {
			v.ObjectNumber = types.Integer(n)
			v.GenerationNumber = 0
		}
		return v
	case *types.IndirectRef:
		if v != nil {
			if n, ok := lookup[v.ObjectNumber.Value()]; ok {
				v.ObjectNumber = types.Integer(n)
				v.GenerationNumber = 0
			}
		}
		return v
	case types.Dict:
		for k, x := range v {
			v[k] = patch(x, lookup)
		}
		return v
	case types.StreamDict:
		for k, x := range v.Dict {
			v.Dict[k] = patch(x, lookup)
		}
		return v
	case types.ObjectStreamDict:
		for k, x := range v.Dict {
			v.Dict[k] = patch(x, lookup)
		}
		return v
	case types.XRefStreamDict:
		for k, x := range v.Dict {
			v.Dict[k] = patch(x, lookup)
		}
		return v
	case types.Array:
		for i, x := range v {
			v[i] = patch(x, lookup)
		}
		return v
	}
	return o
}

// pageAttrs are what a page inherits from its page tree.
type pageAttrs struct {
	mediaBox, cropBox types.Array
	rotate            int
	resources         types.Object
}

type packPage struct {
	ref   types.IndirectRef
	dict  types.Dict
	attrs pageAttrs
}

// pageList walks the page tree in order, with what each page inherits.
func pageList(ctx *model.Context, root types.IndirectRef) ([]packPage, error) {
	var out []packPage
	seen := map[int]bool{}
	var walk func(ref types.Object, inh pageAttrs) error
	walk = func(ref types.Object, inh pageAttrs) error {
		if r, ok := ref.(types.IndirectRef); ok {
			if seen[r.ObjectNumber.Value()] {
				return errors.New("page tree loops")
			}
			seen[r.ObjectNumber.Value()] = true
		}
		d, err := ctx.DereferenceDict(ref)
		if err != nil || d == nil {
			return fmt.Errorf("page tree: %v", err)
		}
		if a, err := ctx.DereferenceArray(d["MediaBox"]); err == nil && len(a) == 4 {
			inh.mediaBox = a
		}
		if a, err := ctx.DereferenceArray(d["CropBox"]); err == nil && len(a) == 4 {
			inh.cropBox = a
		}
		if o, ok := d["Rotate"]; ok {
			if n, err := ctx.DereferenceNumber(o); err == nil {
				inh.rotate = int(n)
			}
		}
		if o, ok := d["Resources"]; ok {
			inh.resources = o
		}
		kids, ok := d["Kids"]
		if t := d.Type(); (t != nil && *t == "Pages") || (t == nil && ok) {
			a, err := ctx.DereferenceArray(kids)
			if err != nil {
				return err
			}
			for _, k := range a {
				if err := walk(k, inh); err != nil {
					return err
				}
			}
			return nil
		}
		r, _ := ref.(types.IndirectRef)
		out = append(out, packPage{ref: r, dict: d, attrs: inh})
		return nil
	}
	return out, walk(root, pageAttrs{})
}

// Names of what the stamps add to every page's resources: unlikely in anyone's paper.
const (
	stampFont = "QuorumF"
	copyForm  = "QuorumCopy"
	copyMark  = "/QuorumCopySlot true"
)

// stampPages adds the page number (and the copy slot) to every page.
func stampPages(ctx *model.Context, pages []packPage, meta PackMeta) error {
	font, err := ctx.IndRefForNewObject(types.Dict{"Type": types.Name("Font"), "Subtype": types.Name("Type1"),
		"BaseFont": types.Name("Helvetica"), "Encoding": types.Name("WinAnsiEncoding")})
	if err != nil {
		return err
	}
	open, err := newStream(ctx, types.Dict{}, []byte("q\n"))
	if err != nil {
		return err
	}
	var form *types.IndirectRef
	if meta.Copy {
		// An empty form until a copy is made for someone: StampCopy appends its new content.
		fd := types.Dict{"Type": types.Name("XObject"), "Subtype": types.Name("Form"), "BBox": types.NewNumberArray(0, 0, 1000, 14),
			"Resources": types.Dict{"Font": types.Dict{stampFont: *font}}, "QuorumCopySlot": types.Boolean(true)}
		if form, err = newStream(ctx, fd, nil); err != nil {
			return err
		}
	}
	done := map[int]bool{} // resource dictionaries shared by pages, already given the stamp's
	total := len(pages)
	var b []byte
	for i, p := range pages {
		if err := addResources(ctx, p, font, form, done); err != nil {
			return fmt.Errorf("page %d: %w", i+1, err)
		}
		b = stampContent(b[:0], p.attrs, i+1, total, meta.Label, meta.Copy)
		closeRef, err := newStream(ctx, types.Dict{}, slices.Clone(b))
		if err != nil {
			return err
		}
		contents := types.Array{*open}
		switch c := p.dict["Contents"].(type) {
		case nil:
		case types.Array:
			contents = append(contents, c...)
		case types.IndirectRef:
			// An indirect array of streams, or one stream.
			if a, err := ctx.DereferenceArray(c); err == nil && a != nil {
				if o, _ := ctx.Dereference(c); isArray(o) {
					contents = append(contents, a...)
					break
				}
			}
			contents = append(contents, c)
		default:
			contents = append(contents, c)
		}
		contents = append(contents, *closeRef)
		p.dict["Contents"] = contents
	}
	return nil
}

func isArray(o types.Object) bool { _, ok := o.(types.Array); return ok }

func newStream(ctx *model.Context, d types.Dict, data []byte) (*types.IndirectRef, error) {
	l := int64(len(data))
	d["Length"] = types.Integer(l)
	sd := types.NewStreamDict(d, 0, &l, nil, nil)
	sd.Raw = data
	sd.Content = data
	return ctx.IndRefForNewObject(sd)
}

// addResources puts the stamp's font (and the copy form) into a page's resources: into
// its own dictionary, or into the shared one it refers to (once), or into a copy of the
// one it inherits.
func addResources(ctx *model.Context, p packPage, font, form *types.IndirectRef, done map[int]bool) error {
	res, own := p.dict["Resources"]
	if !own {
		res = p.attrs.resources
	}
	var d types.Dict
	if r, ok := res.(types.IndirectRef); ok && own {
		if done[r.ObjectNumber.Value()] {
			return nil
		}
		done[r.ObjectNumber.Value()] = true
		var err error
		if d, err = ctx.DereferenceDict(r); err != nil {
			return err
		}
		if d == nil {
			d = types.Dict{}
			p.dict["Resources"] = d
		}
	} else {
		inh, err := ctx.DereferenceDict(res)
		if err != nil {
			return err
		}
		if own && inh != nil {
			d = inh
		} else {
			d = types.Dict{}
			for k, v := range inh {
				d[k] = v
			}
			p.dict["Resources"] = d
		}
	}
	if err := addTo(ctx, d, "Font", stampFont, *font); err != nil {
		return err
	}
	if form != nil {
		return addTo(ctx, d, "XObject", copyForm, *form)
	}
	return nil
}

// addTo sets name in the sub-dictionary kind of resources d (a copy of it when it is
// indirect, since another page may share it without the stamp).
func addTo(ctx *model.Context, d types.Dict, kind, name string, ref types.IndirectRef) error {
	sub, err := ctx.DereferenceDict(d[kind])
	if err != nil {
		return err
	}
	c := types.Dict{}
	for k, v := range sub {
		c[k] = v
	}
	c[name] = ref
	d[kind] = c
	return nil
}

func num(ctx *model.Context, o types.Object) float64 {
	switch v := o.(type) {
	case types.Integer:
		return float64(v)
	case types.Float:
		return float64(v)
	}
	return 0
}

// box is the visible page: the crop box within the media box; A4 when it says nothing.
func box(a pageAttrs) (llx, lly, urx, ury float64) {
	llx, lly, urx, ury = 0, 0, 595.28, 841.89
	if len(a.mediaBox) == 4 {
		llx, lly, urx, ury = num(nil, a.mediaBox[0]), num(nil, a.mediaBox[1]), num(nil, a.mediaBox[2]), num(nil, a.mediaBox[3])
	}
	if len(a.cropBox) == 4 {
		cllx, clly, curx, cury := num(nil, a.cropBox[0]), num(nil, a.cropBox[1]), num(nil, a.cropBox[2]), num(nil, a.cropBox[3])
		llx, lly, urx, ury = max(llx, min(cllx, curx)), max(lly, min(clly, cury)), min(urx, max(cllx, curx)), min(ury, max(clly, cury))
	}
	if urx < llx {
		llx, urx = urx, llx
	}
	if ury < lly {
		lly, ury = ury, lly
	}
	return
}

const stampSize = 8.0

// stampContent is the stream that closes a page's own content and draws "Page n of total"
// at the top right of the page as the reader sees it (turned with the page's /Rotate), on
// a white ground; label at the top left; and the copy form below the label.
func stampContent(b []byte, a pageAttrs, n, total int, label string, copySlot bool) []byte {
	llx, lly, urx, ury := box(a)
	w, h := urx-llx, ury-lly
	rot := ((a.rotate % 360) + 360) % 360
	// The matrix that takes the page as seen (width vw, height vh, origin bottom left) to
	// the page's own space.
	vw, vh := w, h
	var m [6]float64
	switch rot {
	case 90:
		vw, vh = h, w
		m = [6]float64{0, -1, 1, 0, llx, ury}
	case 180:
		m = [6]float64{-1, 0, 0, -1, urx, ury}
	case 270:
		vw, vh = h, w
		m = [6]float64{0, 1, -1, 0, urx, lly}
	default:
		m = [6]float64{1, 0, 0, 1, llx, lly}
	}
	text := "Page " + strconv.Itoa(n) + " of " + strconv.Itoa(total)
	tw := helveticaWidth(text, stampSize)
	margin := 14.0
	x, y := vw-margin-tw, vh-margin-stampSize
	b = append(b, "Q\nq\n"...)
	b = appendMatrix(b, m)
	b = append(b, " cm\n1 g\n"...)
	b = appendNums(b, x-3, y-2.5, tw+6, stampSize+5)
	b = append(b, " re f\n0 g\nBT /"+stampFont+" "...)
	b = strconv.AppendFloat(b, stampSize, 'f', -1, 64)
	b = append(b, " Tf "...)
	b = appendNums(b, x, y)
	b = append(b, " Td ("...)
	b = append(b, text...)
	b = append(b, ") Tj ET\n"...)
	if label != "" {
		lt := winAnsi(label)
		lw := helveticaWidth(label, stampSize)
		b = append(b, "1 g\n"...)
		b = appendNums(b, margin-3, y-2.5, lw+6, stampSize+5)
		b = append(b, " re f\n0 g\nBT /"+stampFont+" "...)
		b = strconv.AppendFloat(b, stampSize, 'f', -1, 64)
		b = append(b, " Tf "...)
		b = appendNums(b, margin, y)
		b = append(b, " Td "...)
		b = appendPDFString(b, lt)
		b = append(b, " Tj ET\n"...)
	}
	if copySlot {
		b = append(b, "q 1 0 0 1 "...)
		b = appendNums(b, margin, y-stampSize-6)
		b = append(b, " cm /"+copyForm+" Do Q\n"...)
	}
	b = append(b, "Q\n"...)
	return b
}

func appendMatrix(b []byte, m [6]float64) []byte { return appendNums(b, m[:]...) }

func appendNums(b []byte, v ...float64) []byte {
	for i, f := range v {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendFloat(b, float64(int64(f*100+0.5*sign(f)))/100, 'f', -1, 64)
	}
	return b
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

// appendPDFString writes s (already in WinAnsi bytes) as a PDF literal string.
func appendPDFString(b []byte, s string) []byte {
	b = append(b, '(')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '(', ')':
			b = append(b, '\\', c)
		case '\r', '\n':
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return append(b, ')')
}

// winAnsi maps text to the WinAnsiEncoding the stamp font uses; what it lacks becomes '?'.
func winAnsi(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r >= 0xA0 && r <= 0xFF:
			b.WriteByte(byte(r))
		default:
			if c, ok := winAnsiHigh[r]; ok {
				b.WriteByte(c)
			} else {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}

var winAnsiHigh = map[rune]byte{'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88,
	'‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95,
	'–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F}

// helveticaWidth measures text in Helvetica (digits and most letters; others as an 'n').
func helveticaWidth(s string, size float64) float64 {
	w := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			w += 556
		case r == ' ':
			w += 278
		case r >= 'a' && r <= 'z':
			w += helvLower[r-'a']
		case r >= 'A' && r <= 'Z':
			w += helvUpper[r-'A']
		case r == ',' || r == '.' || r == ':':
			w += 278
		case r == '-':
			w += 333
		default:
			w += 556
		}
	}
	return float64(w) * size / 1000
}

var helvLower = [26]int{556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500}
var helvUpper = [26]int{667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611}

// outline is the pack's bookmarks, with their pages counted in the pack.
func outline(parts []PackPart, where []PartPage) []outlineItem {
	var out []outlineItem
	var kids func(bs []Bookmark, start, pages int) []outlineItem
	kids = func(bs []Bookmark, start, pages int) []outlineItem {
		var o []outlineItem
		for _, b := range bs {
			o = append(o, outlineItem{title: b.Title, page: start + min(max(b.Page, 1), pages) - 1, kids: kids(b.Kids, start, pages)})
		}
		return o
	}
	for i, p := range parts {
		if p.NoBookmark {
			continue
		}
		out = append(out, outlineItem{title: p.Title, page: where[i].Start, kids: kids(p.Bookmarks, where[i].Start, where[i].Pages)})
	}
	return out
}

type outlineItem struct {
	title string
	page  int
	kids  []outlineItem
	ref   *types.IndirectRef
	dict  types.Dict
}

// addOutline makes the outline items for items (with explicit destinations: named ones
// would clash when two papers share a title), linked as siblings; it returns the first
// and last and how many there are, all levels.
func addOutline(ctx *model.Context, items []outlineItem, pages []packPage, parent *types.IndirectRef) (first, last *types.IndirectRef, count int, err error) {
	for i := range items {
		it := &items[i]
		title, err := types.EscapedUTF16String(it.title)
		if err != nil {
			return nil, nil, 0, err
		}
		it.dict = types.Dict{"Title": types.StringLiteral(*title), "Dest": types.Array{pages[it.page-1].ref, types.Name("Fit")}}
		if it.ref, err = ctx.IndRefForNewObject(it.dict); err != nil {
			return nil, nil, 0, err
		}
		count++
	}
	for i := range items {
		it := &items[i]
		if i > 0 {
			it.dict["Prev"] = *items[i-1].ref
		}
		if i+1 < len(items) {
			it.dict["Next"] = *items[i+1].ref
		}
		if parent != nil {
			it.dict["Parent"] = *parent
		}
		if len(it.kids) > 0 {
			f, l, n, err := addOutline(ctx, it.kids, pages, it.ref)
			if err != nil {
				return nil, nil, 0, err
			}
			it.dict["First"], it.dict["Last"], it.dict["Count"] = *f, *l, types.Integer(n)
			count += n
		}
	}
	if len(items) == 0 {
		return nil, nil, 0, nil
	}
	return items[0].ref, items[len(items)-1].ref, count, nil
}

// setParent points the top-level outline items at the outline root.
func setParent(ctx *model.Context, items []outlineItem, root types.IndirectRef) error {
	for _, it := range items {
		it.dict["Parent"] = root
	}
	return nil
}

// setInfo writes the document properties, dated meta.Created.
func setInfo(ctx *model.Context, meta PackMeta) types.IndirectRef {
	date := types.StringLiteral(types.DateString(meta.Created.UTC()))
	d := types.Dict{"CreationDate": date, "ModDate": date}
	for k, v := range map[string]string{"Title": meta.Title, "Subject": meta.Subject, "Keywords": meta.Keywords, "Author": "Quorum", "Creator": "Quorum", "Producer": "Quorum with pdfcpu"} {
		if v == "" {
			continue
		}
		if s, err := types.EscapedUTF16String(v); err == nil {
			d[k] = types.StringLiteral(*s)
		}
	}
	if ctx.Info != nil {
		if old, err := ctx.DereferenceDict(*ctx.Info); err == nil && old != nil {
			for k := range old {
				delete(old, k)
			}
			for k, v := range d {
				old[k] = v
			}
			return *ctx.Info
		}
	}
	ctx.Info, _ = ctx.IndRefForNewObject(d)
	return *ctx.Info
}

// decodeLazy reads an object still waiting in its object stream.
func decodeLazy(e *model.XRefTableEntry) error {
	if l, ok := e.Object.(types.LazyObjectStreamObject); ok {
		o, err := l.DecodedObject(context.Background())
		if err != nil {
			return err
		}
		e.Object = o
	}
	return nil
}

// packID is the file identifier: made from the parts and the date, so it is the same
// for the same inputs.
func packID(parts []PackPart, meta PackMeta) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p.Title))
		s := sha256.Sum256(p.PDF)
		h.Write(s[:])
	}
	h.Write([]byte(meta.Created.UTC().Format(time.RFC3339)))
	h.Write([]byte(meta.Title + "\x00" + meta.Label))
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil)[:16]))
}

// writePack writes the objects reachable from the catalogue and the information
// dictionary, in the order of their numbers, with a classic cross-reference table.
// pdfcpu's writer follows dictionaries in map order, so the same pack came out with its
// objects in a different order each time; and it would stamp the time of writing.
func writePack(ctx *model.Context, info types.IndirectRef, id string, size int) ([]byte, error) {
	live := map[int]bool{}
	var stack []types.Object
	stack = append(stack, *ctx.Root, info)
	for len(stack) > 0 {
		o := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch v := o.(type) {
		case types.IndirectRef:
			n := v.ObjectNumber.Value()
			if live[n] {
				continue
			}
			e, ok := ctx.Table[n]
			if !ok || e == nil || e.Free {
				continue
			}
			if err := decodeLazy(e); err != nil {
				return nil, err
			}
			live[n] = true
			stack = append(stack, e.Object)
		case *types.IndirectRef:
			if v != nil {
				stack = append(stack, *v)
			}
		case types.Dict:
			for _, x := range v {
				stack = append(stack, x)
			}
		case types.StreamDict:
			for _, x := range v.Dict {
				stack = append(stack, x)
			}
		case types.Array:
			stack = append(stack, v...)
		}
	}
	nums := make([]int, 0, len(live))
	for n := range live {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	offsets := make(map[int]int, len(nums))
	b := make([]byte, 0, size)
	b = append(b, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"...)
	for _, n := range nums {
		offsets[n] = len(b)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, " 0 obj\n"...)
		switch v := ctx.Table[n].Object.(type) {
		case types.StreamDict:
			if v.Raw == nil && v.Content != nil {
				if err := v.Encode(); err != nil {
					return nil, err
				}
			}
			d := types.Dict{}
			for k, x := range v.Dict {
				d[k] = x
			}
			d["Length"] = types.Integer(len(v.Raw))
			b = append(b, d.PDFString()...)
			b = append(b, "\nstream\n"...)
			b = append(b, v.Raw...)
			b = append(b, "\nendstream"...)
		case nil:
			b = append(b, "null"...)
		default:
			b = append(b, v.PDFString()...)
		}
		b = append(b, "\nendobj\n"...)
	}
	xref := len(b)
	last := 0
	if len(nums) > 0 {
		last = nums[len(nums)-1]
	}
	b = append(b, "xref\n0 "...)
	b = strconv.AppendInt(b, int64(last+1), 10)
	b = append(b, "\n0000000000 65535 f\r\n"...)
	for n := 1; n <= last; n++ {
		if off, ok := offsets[n]; ok {
			b = fmt.Appendf(b, "%010d 00000 n\r\n", off)
		} else {
			b = append(b, "0000000000 00000 f\r\n"...)
		}
	}
	b = fmt.Appendf(b, "trailer\n<</Size %d/Root %d 0 R/Info %d 0 R/ID [<%s><%s>]>>\nstartxref\n%d\n%%%%EOF\n",
		last+1, ctx.Root.ObjectNumber.Value(), info.ObjectNumber.Value(), id, id, xref)
	return b, nil
}
