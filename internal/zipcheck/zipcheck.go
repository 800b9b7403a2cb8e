// Package zipcheck guards the readers of uploaded Office files (.docx, .xlsx: both are zip
// archives) against zip bombs. It reads a zip's central directory and refuses an archive
// that holds too many entries or would inflate past a limit, before anything is expanded.
package zipcheck

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits bound what one archive may hold.
type Limits struct {
	Entries      int   // the most entries
	Uncompressed int64 // the most bytes all entries inflate to, together
}

// Errors, for the callers to put in their own words.
var (
	ErrNotZip         = errors.New("not a zip archive")
	ErrTooManyEntries = errors.New("too many entries in the zip archive")
	ErrTooLarge       = errors.New("the zip archive inflates past the limit")
)

// Open checks the zip archive in r against l and returns it open for reading. The sizes
// in the directory are the writer's word, but reading by them is safe: archive/zip fails
// an entry that inflates to more than its directory entry declares, so no entry, and no
// sum of entries, can expand past what was checked here.
func Open(r io.ReaderAt, size int64, l Limits) (*zip.Reader, error) {
	var magic [4]byte
	if n, _ := r.ReadAt(magic[:], 0); n < 4 || !bytes.Equal(magic[:], []byte("PK\x03\x04")) {
		return nil, ErrNotZip
	}
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNotZip, err)
	}
	if len(z.File) > l.Entries {
		return nil, fmt.Errorf("%w: %d, at most %d", ErrTooManyEntries, len(z.File), l.Entries)
	}
	var total uint64
	for _, f := range z.File {
		// Each term is checked first, so the sum cannot wrap round.
		if f.UncompressedSize64 > uint64(l.Uncompressed) {
			return nil, fmt.Errorf("%w: %s alone is %d bytes", ErrTooLarge, f.Name, f.UncompressedSize64)
		}
		total += f.UncompressedSize64
		if total > uint64(l.Uncompressed) {
			return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, l.Uncompressed)
		}
	}
	return z, nil
}
