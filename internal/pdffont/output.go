package pdffont

import (
	"bytes"
	"compress/zlib"
	"io"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// Compressing the streams.
//
// fpdf compresses each page's content with a zlib writer of its own, and a new writer costs
// far more than the compressing (about 0.7 ms and 1.4 MB each, most of it clearing the
// compressor's tables: an eight-page document spent more time on it than on laying the pages
// out). fpdf offers no way to share one, so documents are made with its compression off, and
// Output compresses the streams fpdf left uncompressed with writers kept in a pool, then writes
// the cross-reference table again for the new offsets. The streams are independent, so they
// are compressed in parallel.

// Writers and buffers are kept in free lists, not sync.Pools: a sync.Pool is emptied by
// every garbage collection, and a document allocates enough for one or two.
var (
	zlibFree = make(chan *zlib.Writer, 4)
	bufFree  = make(chan *bytes.Buffer, 32)
)

func getZlib() *zlib.Writer {
	select {
	case w := <-zlibFree:
		return w
	default:
		w, _ := zlib.NewWriterLevel(io.Discard, zlib.BestSpeed)
		return w
	}
}

func putZlib(w *zlib.Writer) {
	select {
	case zlibFree <- w:
	default:
	}
}

func getBuf() *bytes.Buffer {
	select {
	case b := <-bufFree:
		b.Reset()
		return b
	default:
		return new(bytes.Buffer)
	}
}

func putBuf(b *bytes.Buffer) {
	if b.Cap() > 4<<20 {
		return
	}
	select {
	case bufFree <- b:
	default:
	}
}

// Output writes the document to w, its content streams compressed. It closes the document.
func (d *Doc) Output(w io.Writer) error {
	buf := getBuf()
	defer putBuf(buf)
	if err := d.Fpdf.Output(buf); err != nil {
		return err
	}
	out := getBuf()
	defer putBuf(out)
	if !compressStreams(out, buf.Bytes()) {
		_, err := w.Write(buf.Bytes())
		return err
	}
	_, err := w.Write(out.Bytes())
	return err
}

// compressStreams writes pdf, as fpdf writes a file, to out with every stream whose dictionary
// is just its length compressed. It reports false, leaving pdf to be written as it is, for a
// file not laid out as it expects.
func compressStreams(out *bytes.Buffer, pdf []byte) bool {
	xrefAt := bytes.LastIndex(pdf, []byte("\nxref\n")) + 1
	if xrefAt <= 0 {
		return false
	}
	trailerAt := bytes.Index(pdf[xrefAt:], []byte("trailer\n"))
	if trailerAt < 0 {
		return false
	}
	trailerAt += xrefAt
	startAt := bytes.LastIndex(pdf, []byte("startxref\n"))
	if startAt < trailerAt || bytes.Contains(pdf[trailerAt:startAt], []byte("/Encrypt")) {
		return false // encrypted streams can't be compressed afterwards
	}
	if v, err := strconv.Atoi(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(pdf[startAt+len("startxref\n"):]), []byte("%%EOF"))))); err != nil || v != xrefAt {
		return false
	}
	lines := bytes.Split(bytes.TrimSuffix(pdf[xrefAt+len("xref\n"):trailerAt], []byte("\n")), []byte("\n"))
	if len(lines) < 2 {
		return false
	}
	head := bytes.Fields(lines[0])
	if len(head) != 2 || string(head[0]) != "0" {
		return false
	}
	n, err := strconv.Atoi(string(head[1]))
	if err != nil || n != len(lines)-1 {
		return false
	}
	type object struct{ num, at, end int }
	objs := make([]object, 0, n)
	for i, l := range lines[1:] {
		f := bytes.Fields(l)
		if len(f) != 3 {
			return false
		}
		if string(f[2]) != "n" {
			continue
		}
		at, err := strconv.Atoi(string(f[0]))
		if err != nil || at <= 0 || at >= xrefAt {
			return false
		}
		objs = append(objs, object{num: i, at: at})
	}
	if len(objs) == 0 {
		return false
	}
	slices.SortFunc(objs, func(a, b object) int { return a.at - b.at })
	for i := range objs {
		objs[i].end = xrefAt
		if i+1 < len(objs) {
			objs[i].end = objs[i+1].at
		}
	}

	// The streams are compressed side by side, on as many cores as the process may use (up to
	// four): each on its own, so the file is the same whichever finishes first.
	type stream struct {
		data, rest []byte
		z          *bytes.Buffer
	}
	streams := make([]stream, len(objs))
	var todo []int
	for i, o := range objs {
		if data, rest, ok := plainStream(pdf[o.at:o.end], o.num); ok && len(data) > 0 {
			streams[i] = stream{data: data, rest: rest, z: getBuf()}
			todo = append(todo, i)
		}
	}
	defer func() {
		for _, s := range streams {
			if s.z != nil {
				putBuf(s.z)
			}
		}
	}()
	var failed atomic.Bool
	var next atomic.Int64
	work := func() {
		zw := getZlib()
		defer putZlib(zw)
		for {
			k := int(next.Add(1)) - 1
			if k >= len(todo) {
				return
			}
			s := streams[todo[k]]
			zw.Reset(s.z)
			zw.Write(s.data)
			if zw.Close() != nil {
				failed.Store(true)
			}
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), 4, (len(todo)+1)/2) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	if failed.Load() {
		return false
	}

	out.Grow(len(pdf) / 2)
	out.Write(pdf[:objs[0].at])
	offsets := make([]int, n)
	for i, o := range objs {
		offsets[o.num] = out.Len()
		if s := streams[i]; s.z != nil {
			out.WriteString(strconv.Itoa(o.num))
			out.WriteString(" 0 obj\n<</Filter /FlateDecode /Length ")
			out.WriteString(strconv.Itoa(s.z.Len()))
			out.WriteString(">>\nstream\n")
			out.Write(s.z.Bytes())
			out.Write(s.rest)
			continue
		}
		out.Write(pdf[o.at:o.end])
	}
	at := out.Len()
	out.WriteString("xref\n0 ")
	out.WriteString(strconv.Itoa(n))
	out.WriteString("\n0000000000 65535 f \n")
	var num [10]byte
	for i := 1; i < n; i++ {
		s := strconv.AppendInt(num[:0], int64(offsets[i]), 10)
		for range 10 - len(s) {
			out.WriteByte('0')
		}
		out.Write(s)
		out.WriteString(" 00000 n \n")
	}
	out.Write(pdf[trailerAt:startAt])
	out.WriteString("startxref\n")
	out.WriteString(strconv.Itoa(at))
	out.WriteString("\n%%EOF\n")
	return true
}

// plainStream reads an object as fpdf writes an uncompressed stream, "N 0 obj\n<</Length L>>\n
// stream\n" then L bytes then "\nendstream\nendobj\n", and returns the data and what follows it.
func plainStream(obj []byte, num int) (data, rest []byte, ok bool) {
	p := strconv.Itoa(num) + " 0 obj\n<</Length "
	if !bytes.HasPrefix(obj, []byte(p)) {
		return nil, nil, false
	}
	obj = obj[len(p):]
	i := bytes.IndexByte(obj, '>')
	if i <= 0 {
		return nil, nil, false
	}
	l, err := strconv.Atoi(string(obj[:i]))
	obj = obj[i:]
	if err != nil || l < 0 || !bytes.HasPrefix(obj, []byte(">>\nstream\n")) {
		return nil, nil, false
	}
	obj = obj[len(">>\nstream\n"):]
	if l > len(obj) || !bytes.HasPrefix(obj[l:], []byte("\nendstream\nendobj\n")) {
		return nil, nil, false
	}
	return obj[:l], obj[l:], true
}
