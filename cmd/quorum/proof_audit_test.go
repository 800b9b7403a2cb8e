//go:build proof

package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestProofAuditVerify: the demo's audit log verifies; after an attacker with the file
// drops the append-only triggers and changes, then deletes, an entry, `quorum audit
// verify` names the entry and exits 1.
func TestProofAuditVerify(t *testing.T) {
	ctx := context.Background()
	f := filepath.Join(t.TempDir(), "q.db")
	a, err := openApp(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadDemo(ctx, a); err != nil {
		t.Fatal(err)
	}
	verify := func() (string, error) {
		var out bytes.Buffer
		err := run(ctx, []string{"audit", "verify", "-db", f}, func(string) string { return "" }, nil, &out)
		return out.String(), err
	}
	out, err := verify()
	if err != nil || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("audit verify of the demo: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))
	for _, q := range []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`,
		`UPDATE audit_events SET after = replace(after, 'a', 'b') WHERE id = 40`} {
		if _, err := a.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out, err = verify()
	var ec exitCode
	if !errors.As(err, &ec) || ec != 1 || !strings.Contains(out, "audit event 40: it has been changed") {
		t.Fatalf("audit verify after a change: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))
	a.db.Exec(`DELETE FROM audit_events WHERE id = 40`)
	out, err = verify()
	if !errors.As(err, &ec) || ec != 1 || !strings.Contains(out, "audit event 41: the entries between 39 and 41 have been deleted") {
		t.Fatalf("audit verify after a deletion: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))
	a.Close()
}
