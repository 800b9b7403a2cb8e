package auth

import (
	"maps"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

func TestSessionCodecRoundTrip(t *testing.T) {
	deadline := time.Date(2026, 12, 3, 18, 30, 0, 123, time.UTC)
	for _, values := range []map[string]any{
		{},
		{"user_id": int64(42)},
		{"user_id": int64(-7), "flash": "Action NSCP/26/07 done — £0 spent, “quoted”", "n": 3, "ok": true, "no": false, "empty": ""},
		{"share": 1.5, "user_id": int64(3)}, // a type not of ours: written with gob, still read back
	} {
		var c SessionCodec
		b, err := c.Encode(deadline, values)
		if err != nil {
			t.Fatal(err)
		}
		got, vals, err := c.Decode(b)
		if err != nil {
			t.Fatalf("%v: %v", values, err)
		}
		if !got.Equal(deadline) {
			t.Errorf("deadline %v, want %v", got, deadline)
		}
		if !maps.Equal(vals, values) {
			t.Errorf("values %#v, want %#v", vals, values)
		}
	}
}

// A session written by the gob codec before this one is read, so an upgrade signs nobody out.
func TestSessionCodecReadsGob(t *testing.T) {
	deadline := time.Now().Add(time.Hour).Round(0)
	b, err := scs.GobCodec{}.Encode(deadline, map[string]any{"user_id": int64(9), "flash": "Saved"})
	if err != nil {
		t.Fatal(err)
	}
	got, vals, err := SessionCodec{}.Decode(b)
	if err != nil || !got.Equal(deadline) || vals["user_id"] != int64(9) || vals["flash"] != "Saved" {
		t.Fatalf("gob session: %v %v %v", got, vals, err)
	}
}

// Damaged data is an error, never a panic or a half-read session.
func TestSessionCodecDamaged(t *testing.T) {
	b, _ := SessionCodec{}.Encode(time.Now(), map[string]any{"user_id": int64(42), "flash": "Saved"})
	for i := len(sessionMagic); i < len(b); i++ {
		if _, _, err := (SessionCodec{}).Decode(b[:i]); err == nil {
			t.Errorf("truncated at %d of %d: no error", i, len(b))
		}
	}
	if _, _, err := (SessionCodec{}).Decode(append(b, 0)); err == nil {
		t.Errorf("trailing byte: no error")
	}
}

func FuzzSessionCodec(f *testing.F) {
	b, _ := SessionCodec{}.Encode(time.Now(), map[string]any{"user_id": int64(42), "flash": "Saved"})
	f.Add(b)
	f.Add([]byte(sessionMagic + "\x02\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		SessionCodec{}.Decode(append([]byte(sessionMagic), data...))
	})
}
