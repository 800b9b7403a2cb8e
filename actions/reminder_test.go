package actions

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"quorum/internal/db"
	"quorum/internal/errs"
	"quorum/internal/outbox"
)

// newMailFixture is the store fixture with the mail outbox, and three actions set at
// meeting 1: Jane's due by 10 February, the police's due at meeting 2 (19 March), Karen's
// due by 1 June.
func newMailFixture(t *testing.T) (*fixture, map[int]string) {
	f := newFixture(t)
	if err := db.Migrate(context.Background(), f.db, db.Source{Name: "outbox", FS: outbox.Schema()}); err != nil {
		t.Fatal(err)
	}
	refs := f.mustSync(f.m1,
		Draft{Owners: []string{"JS"}, Text: "by date", DueDate: "2026-02-10", Line: 3},
		Draft{Owners: []string{"police"}, Text: "by meeting", DueNext: true, Line: 4},
		Draft{Owners: []string{"KP"}, Text: "later", DueDate: "2026-06-01", Line: 5})
	return f, refs
}

// queue runs QueueReminders at a London wall-clock time and answers the messages it queued.
func (f *fixture) queue(at string) []outbox.Message {
	f.t.Helper()
	now, err := time.ParseInLocation("2006-01-02 15:04", at, london)
	if err != nil {
		f.t.Fatal(err)
	}
	before, err := outbox.ByKeyPrefix(context.Background(), f.db, "")
	if err != nil {
		f.t.Fatal(err)
	}
	n, err := f.s.QueueReminders(context.Background(), now)
	if err != nil {
		f.t.Fatalf("QueueReminders at %s: %v", at, err)
	}
	all, err := outbox.ByKeyPrefix(context.Background(), f.db, "")
	if err != nil {
		f.t.Fatal(err)
	}
	got := all[len(before):]
	if n != len(got) {
		f.t.Fatalf("at %s: QueueReminders said %d, the outbox gained %d", at, n, len(got))
	}
	return got
}

func keys(ms []outbox.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Key + " > " + m.To
	}
	return out
}

func count(ms []outbox.Message, prefix string) int {
	n := 0
	for _, m := range ms {
		if strings.HasPrefix(m.Key, prefix) {
			n++
		}
	}
	return n
}

func TestQueueRemindersNeverTwice(t *testing.T) {
	f, refs := newMailFixture(t)
	jane := f.byRef(refs[3])

	// Thursday 5 February: Jane's action falls due within the default 7 days; the week's
	// digests go to Jane, Karen and the police's seat-holder (Alan).
	got := f.queue("2026-02-05 09:00")
	if count(got, "reminder:") != 1 || count(got, "digest:") != 3 {
		t.Fatalf("first run: %q", keys(got))
	}
	r := got[0]
	if r.To != "jane-smith@example.org" || !strings.Contains(r.Subject, refs[3]) || !strings.Contains(r.Subject, "10 February 2026") ||
		!strings.Contains(r.Body, "/actions/"+itoa(jane.ID)) || !strings.Contains(r.Body, "in 5 days") {
		t.Fatalf("reminder: %+v", r)
	}
	// Runs every ten minutes, and at once, queue nothing again.
	if got := f.queue("2026-02-05 09:10"); len(got) != 0 {
		t.Fatalf("second run: %q", keys(got))
	}
	if got := f.queue("2026-02-09 09:00"); count(got, "reminder:") != 0 {
		t.Fatalf("a later day, same due day: %q", keys(got))
	}
	// The clerk moves the due date: one reminder for the new day.
	f.mustSync(f.m1,
		Draft{Ref: refs[3], Owners: []string{"JS"}, Text: "by date", DueDate: "2026-02-20", Line: 3},
		Draft{Ref: refs[4], Owners: []string{"police"}, Text: "by meeting", DueNext: true, Line: 4},
		Draft{Ref: refs[5], Owners: []string{"KP"}, Text: "later", DueDate: "2026-06-01", Line: 5})
	if got := f.queue("2026-02-14 09:00"); count(got, "reminder:action:"+itoa(jane.ID)+":due:2026-02-20:") != 1 {
		t.Fatalf("moved due date: %q", keys(got))
	}
	if got := f.queue("2026-02-15 09:00"); count(got, "reminder:") != 0 {
		t.Fatalf("moved due date, again: %q", keys(got))
	}
	// Done actions are not reminded.
	if err := f.s.Complete(context.Background(), f.byRef(refs[5]).ID, "Done early", 0, ""); err != nil {
		t.Fatal(err)
	}
	if got := f.queue("2026-05-28 09:00"); count(got, "reminder:") != 0 {
		t.Fatalf("done action reminded: %q", keys(got))
	}
}

func TestQueueRemindersByMeeting(t *testing.T) {
	f, refs := newMailFixture(t)
	police := f.byRef(refs[4])
	if police.Due.MeetingID != f.m2 {
		t.Fatalf("due %+v, want meeting %d", police.Due, f.m2)
	}
	// Meeting 2 starts 19 March at 10:00: 7 days before is 12 March, not 11.
	if got := f.queue("2026-03-11 23:50"); count(got, "reminder:") != 0 {
		t.Fatalf("8 days before the meeting: %q", keys(got))
	}
	got := f.queue("2026-03-12 00:10")
	if count(got, "reminder:") != 1 {
		t.Fatalf("7 days before the meeting: %q", keys(got))
	}
	r := got[0]
	if r.To != "abrown@example.org" || !strings.Contains(r.Subject, "at the meeting on 19 March 2026") ||
		r.Key != "reminder:action:"+itoa(police.ID)+":due:2026-03-19:person:"+itoa(f.alan) {
		t.Fatalf("meeting reminder: %+v", r)
	}
	// The meeting moves a week later: the reminder is for the new day.
	if _, err := f.db.Exec(`UPDATE meetings SET starts_at = '2026-03-26T10:00:00Z' WHERE id = ?`, f.m2); err != nil {
		t.Fatal(err)
	}
	if got := f.queue("2026-03-19 08:00"); count(got, "reminder:action:"+itoa(police.ID)+":due:2026-03-26:") != 1 {
		t.Fatalf("moved meeting: %q", keys(got))
	}
}

func TestQueueRemindersDigestWeekly(t *testing.T) {
	f, _ := newMailFixture(t)
	ctx := context.Background()
	// Monday 9 February before seven: no digest yet.
	if got := f.queue("2026-02-09 06:50"); count(got, "digest:") != 0 {
		t.Fatalf("before Monday morning: %q", keys(got))
	}
	got := f.queue("2026-02-09 07:00")
	if count(got, "digest:") != 3 {
		t.Fatalf("Monday morning: %q", keys(got))
	}
	for _, m := range got {
		if strings.HasPrefix(m.Key, "digest:person:"+itoa(f.jane)+":2026-W07") {
			if !strings.Contains(m.Subject, "1 action") || !strings.Contains(m.Body, "by date") || strings.Contains(m.Body, "later") {
				t.Fatalf("Jane's digest: %+v", m)
			}
		}
	}
	for _, at := range []string{"2026-02-09 07:10", "2026-02-11 12:00", "2026-02-15 23:59"} {
		if got := f.queue(at); count(got, "digest:") != 0 {
			t.Fatalf("again in the same week (%s): %q", at, keys(got))
		}
	}
	// Someone clears the week's marker: the outbox keys still hold.
	if _, err := f.db.Exec(`DELETE FROM action_digest_weeks`); err != nil {
		t.Fatal(err)
	}
	if got := f.queue("2026-02-12 09:00"); count(got, "digest:") != 0 {
		t.Fatalf("marker gone, same week: %q", keys(got))
	}
	if got := f.queue("2026-02-16 08:00"); count(got, "digest:") != 3 || count(got, "digest:person:"+itoa(f.karen)+":2026-W08") != 1 {
		t.Fatalf("next week: %q", keys(got))
	}
	// The board turns its digest off.
	if err := f.s.SetReminderSettings(ctx, ReminderSettings{BoardID: f.board, Reminders: true, DaysBefore: 7}); err != nil {
		t.Fatal(err)
	}
	if got := f.queue("2026-02-23 08:00"); count(got, "digest:") != 0 {
		t.Fatalf("digest off: %q", keys(got))
	}
}

func TestQueueRemindersSettings(t *testing.T) {
	f, refs := newMailFixture(t)
	ctx := context.Background()
	if rs, err := f.s.ReminderSettings(ctx, f.board); err != nil || rs != (ReminderSettings{BoardID: f.board, Reminders: true, DaysBefore: 7, Digest: true}) {
		t.Fatalf("defaults: %+v %v", rs, err)
	}
	wantCode(t, f.s.SetReminderSettings(ctx, ReminderSettings{BoardID: f.board, DaysBefore: 61}), errs.Invalid)
	wantCode(t, f.s.SetReminderSettings(ctx, ReminderSettings{BoardID: f.board, DaysBefore: -1}), errs.Invalid)
	wantCode(t, f.s.SetReminderSettings(ctx, ReminderSettings{BoardID: 999, DaysBefore: 3}), errs.NotFound)

	// Reminders off: nothing, however close the due day.
	if err := f.s.SetReminderSettings(ctx, ReminderSettings{BoardID: f.board, Reminders: false, DaysBefore: 7, Digest: false}); err != nil {
		t.Fatal(err)
	}
	if got := f.queue("2026-02-09 09:00"); len(got) != 0 {
		t.Fatalf("all off: %q", keys(got))
	}
	// One day's notice: not on the 8th, on the 9th.
	if err := f.s.SetReminderSettings(ctx, ReminderSettings{BoardID: f.board, Reminders: true, DaysBefore: 1}); err != nil {
		t.Fatal(err)
	}
	if rs, _ := f.s.ReminderSettings(ctx, f.board); rs.DaysBefore != 1 || !rs.Reminders || rs.Digest {
		t.Fatalf("kept: %+v", rs)
	}
	if got := f.queue("2026-02-08 09:00"); len(got) != 0 {
		t.Fatalf("two days before, one day's notice: %q", keys(got))
	}
	if got := f.queue("2026-02-09 09:00"); len(got) != 1 || !strings.HasPrefix(got[0].Key, "reminder:action:"+itoa(f.byRef(refs[3]).ID)+":") {
		t.Fatalf("one day before: %q", keys(got))
	}
	// 0: on the day itself.
	if err := f.s.SetReminderSettings(ctx, ReminderSettings{BoardID: f.board, Reminders: true, DaysBefore: 0}); err != nil {
		t.Fatal(err)
	}
	if got := f.queue("2026-05-31 09:00"); len(got) != 0 {
		t.Fatalf("the day before, notice 0: %q", keys(got))
	}
	if got := f.queue("2026-06-01 09:00"); len(got) != 1 || got[0].To != "kpatel@example.org" || !strings.Contains(got[0].Body, "(today)") {
		t.Fatalf("on the day: %q", keys(got))
	}
	// The other board keeps its defaults: an action of its own is reminded a week ahead.
	other := f.mustSync(f.otherMeeting, Draft{Owners: []string{"olly"}, Text: "other board's", DueDate: "2026-06-05", Line: 2})
	if got := f.queue("2026-05-29 09:00"); len(got) != 1 || !strings.HasPrefix(got[0].Key, "reminder:action:"+itoa(f.byRef(other[2]).ID)+":") {
		t.Fatalf("other board, defaults: %q", keys(got))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
