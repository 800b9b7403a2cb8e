package zipcheck

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"testing"
)

var limits = Limits{Entries: 100, Uncompressed: 10 << 20}

// rawZip writes entries whose directory declares the given uncompressed sizes, whatever
// their deflated data really holds.
func rawZip(t *testing.T, entries ...struct {
	name     string
	data     []byte // what the entry inflates to
	declared uint64
}) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		fw.Write(e.data)
		fw.Close()
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(e.data),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: e.declared}
		rw, err := w.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		rw.Write(comp.Bytes())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type entry = struct {
	name     string
	data     []byte
	declared uint64
}

func TestOpen(t *testing.T) {
	zeros := make([]byte, 64<<20)
	bomb := rawZip(t, entry{"xl/worksheets/sheet1.xml", zeros, uint64(len(zeros))})
	if len(bomb) > 200<<10 {
		t.Fatalf("the bomb is %d bytes", len(bomb))
	}
	var many []entry
	for i := range 101 {
		many = append(many, entry{fmt.Sprintf("f%d", i), []byte("x"), 1})
	}
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"a bomb: 64 MB of zeros", bomb, ErrTooLarge},
		{"too many entries", rawZip(t, many...), ErrTooManyEntries},
		{"sizes that would wrap round", rawZip(t, entry{"a", []byte("x"), 1 << 63}, entry{"b", []byte("x"), 1 << 63}), ErrTooLarge},
		{"many small entries over the total", rawZip(t, entry{"a", []byte("x"), 6 << 20}, entry{"b", []byte("x"), 6 << 20}), ErrTooLarge},
		{"not a zip", []byte("%PDF-1.7 hello"), ErrNotZip},
		{"an OLE file", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), ErrNotZip},
		{"truncated", bomb[:len(bomb)/2], ErrNotZip},
		{"empty", nil, ErrNotZip},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(bytes.NewReader(c.data), int64(len(c.data)), limits)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	ok := rawZip(t, entry{"a", []byte("hello"), 5}, entry{"b", bytes.Repeat([]byte("y"), 1<<20), 1 << 20})
	if z, err := Open(bytes.NewReader(ok), int64(len(ok)), limits); err != nil || len(z.File) != 2 {
		t.Fatalf("a small zip: %v", err)
	}
}

// A directory that understates an entry's size does not get the entry past the check:
// reading it stops with an error at the declared size.
func TestOpenLyingDirectory(t *testing.T) {
	liar := rawZip(t, entry{"word/document.xml", make([]byte, 32<<20), 1 << 10})
	z, err := Open(bytes.NewReader(liar), int64(len(liar)), limits)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := z.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, rc)
	if err == nil || n > 64<<10 {
		t.Fatalf("read %d bytes of an entry declared as 1 KB, err %v", n, err)
	}
}
