package auth

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"time"

	"github.com/alexedwards/scs/v2"
)

// SessionCodec encodes sessions, which hold a user id and at most a flash message, in a
// small binary form. scs's default gob codec builds a fresh decoder for every request, and
// on a signed-in page that was a third of the request's allocations. Sessions written by
// the gob codec (before this one) still decode, so nobody is signed out by an upgrade;
// values of any other type are written with gob too.
type SessionCodec struct{}

// sessionMagic starts every session this codec writes; gob output never starts with it.
const sessionMagic = "\x00q1"

var errSession = errors.New("session data is damaged")

// Encode implements scs.Codec.
func (SessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(values))
	for k, v := range values {
		switch v.(type) {
		case string, int64, int, bool:
		default:
			return scs.GobCodec{}.Encode(deadline, values)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := append(make([]byte, 0, 64), sessionMagic...)
	b = binary.AppendVarint(b, deadline.UnixNano())
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		switch v := values[k].(type) {
		case string:
			b = appendString(append(b, 's'), v)
		case int64:
			b = binary.AppendVarint(append(b, 'i'), v)
		case int:
			b = binary.AppendVarint(append(b, 'n'), int64(v))
		case bool:
			t := byte(0)
			if v {
				t = 1
			}
			b = append(b, 'b', t)
		}
	}
	return b, nil
}

// Decode implements scs.Codec.
func (SessionCodec) Decode(data []byte) (time.Time, map[string]any, error) {
	if !bytes.HasPrefix(data, []byte(sessionMagic)) {
		return scs.GobCodec{}.Decode(data)
	}
	r := sessionReader{b: data[len(sessionMagic):]}
	deadline := time.Unix(0, r.varint())
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		return time.Time{}, nil, errSession
	}
	values := make(map[string]any, n)
	for range n {
		k := r.string()
		switch r.byte() {
		case 's':
			values[k] = r.string()
		case 'i':
			values[k] = r.varint()
		case 'n':
			values[k] = int(r.varint())
		case 'b':
			values[k] = r.byte() == 1
		default:
			r.err = errSession
		}
		if r.err != nil {
			return time.Time{}, nil, r.err
		}
	}
	if len(r.b) != 0 {
		return time.Time{}, nil, errSession
	}
	return deadline, values, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// sessionReader reads what Encode wrote; its first error sticks.
type sessionReader struct {
	b   []byte
	err error
}

func (r *sessionReader) fail() { r.err, r.b = errSession, nil }

func (r *sessionReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *sessionReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *sessionReader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *sessionReader) string() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
