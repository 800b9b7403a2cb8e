package actions

import (
	"context"
	"strings"
	"testing"
	"time"

	"quorum/internal/errs"
)

func TestOfficerLink(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	refs := f.mustSync(f.m1, Draft{Owners: []string{"olly"}, Text: "disseminate the plan", DueNext: true, Line: 3},
		Draft{Owners: []string{"olly"}, Text: "another", DueNext: true, Line: 4})
	a, other := f.byRef(refs[3]), f.byRef(refs[4])
	token, err := f.s.CreateLink(ctx, a.ID, f.olly, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	f.db.QueryRow(`SELECT count(*) FROM action_links WHERE token_hash = ?`, token).Scan(&stored)
	if stored != 0 || len(token) < 40 {
		t.Fatal("the token itself must not be stored")
	}
	l, err := f.s.UseLink(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Allows(a.ID) || l.Allows(other.ID) || l.PersonID != f.olly {
		t.Fatalf("link scope: %+v", l)
	}
	if _, err := f.s.UseLink(ctx, token+"x"); errs.Code(err) != errs.NotFound {
		t.Fatalf("a wrong token: %v", err)
	}
	u, err := f.s.UpdateByLink(ctx, token, "Plan sent to the printers")
	if err != nil || u.ActionID != a.ID || !strings.Contains(u.Author, "Olly Officer") {
		t.Fatalf("update by link: %+v %v", u, err)
	}

	// Expired: nothing changes.
	f.s.now = func() time.Time { return time.Date(2026, 1, 28, 9, 0, 0, 0, time.UTC) }
	_, err = f.s.CompleteByLink(ctx, token, "sent", 0, "k")
	wantCode(t, err, errs.Forbidden)
	if !strings.Contains(errs.Message(err), "This link expired at") || f.byRef(refs[3]).Status == StatusDone {
		t.Fatalf("expired link: %v", err)
	}
	f.s.now = func() time.Time { return time.Date(2026, 1, 21, 9, 0, 0, 0, time.UTC) }

	// Used once to complete; the same request again is answered, another is refused.
	if _, err := f.s.CompleteByLink(ctx, token, "Plan circulated", 0, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.CompleteByLink(ctx, token, "Plan circulated", 0, "k"); err != nil {
		t.Fatalf("retried request: %v", err)
	}
	_, err = f.s.UseLink(ctx, token)
	wantCode(t, err, errs.Forbidden)
	if !strings.Contains(errs.Message(err), "already used") {
		t.Fatalf("used link: %v", err)
	}

	// Revoked.
	t2, err := f.s.CreateLink(ctx, other.ID, f.olly, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	links, _ := f.s.Links(ctx, other.ID)
	if err := f.s.RevokeLink(ctx, links[0].ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.UpdateByLink(ctx, t2, "sneaky")
	wantCode(t, err, errs.Forbidden)
	if !strings.Contains(errs.Message(err), "withdrawn") {
		t.Fatalf("revoked link: %v", err)
	}
	if other = f.byRef(refs[4]); other.LatestUpdate != nil {
		t.Fatal("a revoked link changed the action")
	}
	if _, err := f.s.CreateLink(ctx, a.ID, f.olly, time.Hour); errs.Code(err) != errs.Conflict {
		t.Fatalf("a link for a done action: %v", err)
	}
}

func TestRemindersNotDuplicated(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	refs := f.mustSync(f.m1,
		Draft{Owners: []string{"JS"}, Text: "by date", DueDate: "2026-02-10", Line: 3},
		Draft{Owners: []string{"police"}, Text: "by meeting", DueNext: true, Line: 4},
		Draft{Owners: []string{"KP"}, Text: "later", DueDate: "2026-06-01", Line: 5})
	now := time.Date(2026, 2, 5, 8, 0, 0, 0, time.UTC)
	rs, err := f.s.DueReminders(ctx, now, 7)
	if err != nil || len(rs) != 1 || rs[0].Ref != refs[3] || rs[0].Recipients[0].Email != "jane-smith@example.org" {
		t.Fatalf("first run: %+v %v", rs, err)
	}
	if rs, _ = f.s.DueReminders(ctx, now.Add(time.Hour), 7); len(rs) != 0 {
		t.Fatalf("second run sent again: %+v", rs)
	}
	// Meeting 2 (19 March) comes within reach; the police's seat-holder is told.
	rs, _ = f.s.DueReminders(ctx, time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC), 7)
	if len(rs) != 1 || rs[0].Ref != refs[4] || !rs[0].ByMeeting || len(rs[0].Recipients) != 1 || rs[0].Recipients[0].PersonID != f.alan {
		t.Fatalf("meeting reminder: %+v", rs)
	}
	// A due date that moves is reminded again for its new day.
	f.mustSync(f.m1,
		Draft{Ref: refs[3], Owners: []string{"JS"}, Text: "by date", DueDate: "2026-03-20", Line: 3},
		Draft{Ref: refs[4], Owners: []string{"police"}, Text: "by meeting", DueNext: true, Line: 4},
		Draft{Ref: refs[5], Owners: []string{"KP"}, Text: "later", DueDate: "2026-06-01", Line: 5})
	if rs, _ = f.s.DueReminders(ctx, time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC), 7); len(rs) != 1 || rs[0].Ref != refs[3] {
		t.Fatalf("moved due date: %+v", rs)
	}
	var n int
	f.db.QueryRow(`SELECT count(*) FROM action_reminders`).Scan(&n)
	if n != 3 {
		t.Fatalf("%d reminders recorded, want 3", n)
	}
}
