package actions

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
	"quorum/internal/outbox"
)

// Reminder is one "your action is due soon" message to send, with whom to send it to.
type Reminder struct {
	ActionID   int64       `json:"action_id"`
	BoardID    int64       `json:"board_id"`
	BoardName  string      `json:"board_name"`
	Ref        string      `json:"ref"`
	Text       string      `json:"text"`
	DueOn      time.Time   `json:"due_on"` // the London day it falls due
	ByMeeting  bool        `json:"by_meeting"`
	Recipients []Recipient `json:"recipients"`
}

// Recipient is a person a reminder goes to.
type Recipient struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
}

// ReminderSettings is how a board's clerk wants its owners reminded: a reminder
// DaysBefore days before an action's due day (its date, or the day of the meeting it is
// due by), and a weekly digest of each owner's open actions.
type ReminderSettings struct {
	BoardID    int64 `json:"board_id"`
	Reminders  bool  `json:"reminders"`
	DaysBefore int   `json:"days_before"`
	Digest     bool  `json:"digest"`
}

// DefaultReminders is what a board has until its clerk changes it.
var DefaultReminders = ReminderSettings{Reminders: true, DaysBefore: 7, Digest: true}

// MaxDaysBefore is the longest notice a reminder can give.
const MaxDaysBefore = 60

// Validate checks the notice is between 0 (on the day) and MaxDaysBefore days.
func (r *ReminderSettings) Validate() error {
	if r.DaysBefore < 0 || r.DaysBefore > MaxDaysBefore {
		return errs.Field("days_before", "Remind between 0 and %d days before the due day", MaxDaysBefore)
	}
	return nil
}

// ReminderSettings returns a board's settings, the defaults when its clerk never set them.
func (s *Store) ReminderSettings(ctx context.Context, boardID int64) (ReminderSettings, error) {
	r := DefaultReminders
	r.BoardID = boardID
	err := s.db.QueryRowContext(ctx, `SELECT reminders, days_before, digest FROM board_reminder_settings WHERE board_id = ?`, boardID).
		Scan(&r.Reminders, &r.DaysBefore, &r.Digest)
	if db.IsNoRows(err) {
		return r, nil
	}
	return r, err
}

// SetReminderSettings keeps a board's settings, with an audit event.
func (s *Store) SetReminderSettings(ctx context.Context, r ReminderSettings) error {
	if err := r.Validate(); err != nil {
		return err
	}
	before, err := s.ReminderSettings(ctx, r.BoardID)
	if err != nil {
		return err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM boards WHERE id = ?`, r.BoardID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.E(errs.NotFound, "No board %d", r.BoardID)
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO board_reminder_settings (board_id, reminders, days_before, digest, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (board_id) DO UPDATE SET reminders = excluded.reminders,
			days_before = excluded.days_before, digest = excluded.digest, updated_at = excluded.updated_at`,
			r.BoardID, r.Reminders, r.DaysBefore, r.Digest, formatTime(s.now()))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, "board.reminder_settings", "board", r.BoardID, before, r)
	})
}

// reminderSettings reads every board's settings that differ from the defaults.
func reminderSettings(ctx context.Context, q Querier) (map[int64]ReminderSettings, error) {
	rows, err := q.QueryContext(ctx, `SELECT board_id, reminders, days_before, digest FROM board_reminder_settings`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]ReminderSettings{}
	for rows.Next() {
		var r ReminderSettings
		if err := rows.Scan(&r.BoardID, &r.Reminders, &r.DaysBefore, &r.Digest); err != nil {
			return nil, err
		}
		out[r.BoardID] = r
	}
	return out, rows.Err()
}

// DueReminders finds the outstanding actions falling due within daysBefore days of now
// (by date, or by a meeting on that day) that have had no reminder for that due day, and
// records each as sent in the same transaction: asked twice, even at once, it never
// answers the same action and day twice. An action whose due day moves is reminded again
// for the new day. The caller puts the answers in the mail outbox. It applies daysBefore
// to every board; QueueReminders applies each board's own settings.
func (s *Store) DueReminders(ctx context.Context, now time.Time, daysBefore int) ([]Reminder, error) {
	daysBefore = max(daysBefore, 0)
	var out []Reminder
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var err error
		out, err = dueReminders(ctx, newTxn(tx), now, daysBefore, func(int64) (int, bool) { return daysBefore, true })
		return err
	})
	return out, err
}

// dueReminders finds the reminders due now and records them as sent. window is the
// longest notice of any board; notice answers a board's own, and whether it wants
// reminders at all.
func reminderCandidates(ctx context.Context, q Querier, now time.Time, window int, notice func(boardID int64) (int, bool)) ([]Reminder, error) {
	today := londonDay(now)
	last := today.AddDate(0, 0, window)
	// Two indexed halves: by due date, and by the due meeting's start. A meeting's due day
	// is its London day, read below: starts are kept in UTC.
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.board_id, b.name, a.ref, a.text, a.due_date, '' FROM actions a JOIN boards b ON b.id = a.board_id
		WHERE a.due_date <> '' AND a.due_date BETWEEN ? AND ? AND a.status IN ('open','in_progress')
		UNION ALL
		SELECT a.id, a.board_id, b.name, a.ref, a.text, '', m.starts_at FROM meetings m JOIN actions a ON a.due_meeting_id = m.id
		JOIN boards b ON b.id = a.board_id
		WHERE m.starts_at >= ? AND m.starts_at < ? AND m.status <> 'cancelled' AND a.status IN ('open','in_progress')
		ORDER BY 1`,
		today.Format(time.DateOnly), last.Format(time.DateOnly), formatTime(now), formatTime(last.AddDate(0, 0, 1)))
	if err != nil {
		return nil, err
	}
	var candidates []Reminder
	for rows.Next() {
		var r Reminder
		var date, starts string
		if err := rows.Scan(&r.ActionID, &r.BoardID, &r.BoardName, &r.Ref, &r.Text, &date, &starts); err != nil {
			rows.Close()
			return nil, err
		}
		if date != "" {
			r.DueOn, _ = time.ParseInLocation(time.DateOnly, date, london)
		} else {
			r.DueOn, r.ByMeeting = londonDay(parseTime(starts)), true
		}
		days, on := notice(r.BoardID)
		if on && !r.DueOn.Before(today) && !r.DueOn.After(today.AddDate(0, 0, days)) {
			candidates = append(candidates, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return candidates, nil
}

// recordReminder records that r's reminder for its due day has gone, and finds who it
// goes to; fresh is false when it had gone already.
func recordReminder(ctx context.Context, q Querier, r Reminder, now time.Time) (Reminder, bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO action_reminders (action_id, kind, for_date) VALUES (?, 'due', ?)
		ON CONFLICT (action_id, kind, for_date) DO NOTHING`, r.ActionID, r.DueOn.Format(time.DateOnly))
	if err != nil {
		return r, false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return r, false, nil
	}
	r.Recipients, err = recipients(ctx, q, r.ActionID, r.BoardID, londonDay(now).Format(time.DateOnly))
	return r, err == nil, err
}

// dueReminders finds the reminders due now and records them as sent, in one transaction
// (q): for DueReminders, whose caller queues the mail itself.
func dueReminders(ctx context.Context, q Querier, now time.Time, window int, notice func(boardID int64) (int, bool)) ([]Reminder, error) {
	candidates, err := reminderCandidates(ctx, q, now, window, notice)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	for _, r := range candidates {
		r, fresh, err := recordReminder(ctx, q, r, now)
		if err != nil {
			return nil, err
		}
		if fresh {
			out = append(out, r)
		}
	}
	return out, nil
}

// recipients are the people an action's reminder goes to: its person and role owners,
// and for an organisation or a group, the board's current members seated for each
// organisation still to act.
func recipients(ctx context.Context, q Querier, actionID, boardID int64, day string) ([]Recipient, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.name, p.email FROM action_owners o JOIN people p ON p.id = o.person_id
		WHERE o.action_id = ?1
		UNION
		SELECT p.id, p.name, p.email FROM memberships m JOIN people p ON p.id = m.person_id
		WHERE m.board_id = ?2 AND (m.ends_on = '' OR m.ends_on >= ?3) AND m.role <> 'clerk'
		AND coalesce(m.organisation_id, p.organisation_id) IN (
			SELECT organisation_id FROM action_owners WHERE action_id = ?1 AND organisation_id IS NOT NULL
			UNION SELECT organisation_id FROM action_responses WHERE action_id = ?1 AND status = 'pending')
		ORDER BY 2`, actionID, boardID, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Recipient{}
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.PersonID, &r.Name, &r.Email); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DigestFrom is when, on the Monday of each ISO week (London time), the week's digests
// start to go.
const DigestFrom = 7 * time.Hour

// QueueReminders puts in the mail outbox, in one transaction, the reminders due now under
// each board's settings (one per owner with an email, per action and due day) and, once
// each ISO week from Monday morning, a digest of each owner's open actions on the boards
// that want one. Each message's outbox key makes a second run, or two at once, queue
// nothing twice. It answers how many messages it queued. `quorum serve` calls it every
// few minutes; `quorum reminders` once.
func (s *Store) QueueReminders(ctx context.Context, now time.Time) (int, error) {
	// The reading is done outside any write transaction, and each reminder is recorded
	// and queued in a short one of its own: with 100,000 actions one transaction held
	// SQLite's single write lock for 8 s and sign-ins timed out behind it. The outbox
	// keys and action_reminders' unique key keep two runs from queueing anything twice.
	settings, err := reminderSettings(ctx, s.db)
	if err != nil {
		return 0, err
	}
	of := func(boardID int64) ReminderSettings {
		if r, ok := settings[boardID]; ok {
			return r
		}
		return DefaultReminders
	}
	window := DefaultReminders.DaysBefore
	for _, r := range settings {
		window = max(window, r.DaysBefore)
	}
	candidates, err := reminderCandidates(ctx, s.db, now, window, func(boardID int64) (int, bool) {
		r := of(boardID)
		return r.DaysBefore, r.Reminders
	})
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, r := range candidates {
		err := db.WithTx(ctx, s.db, func(sqlTx *sql.Tx) error {
			tx := newTxn(sqlTx)
			defer tx.Close()
			r, fresh, err := recordReminder(ctx, tx, r, now)
			if err != nil || !fresh {
				return err
			}
			n, err := s.queueReminder(ctx, tx, r, londonDay(now))
			queued += n
			return err
		})
		if err != nil {
			return queued, err
		}
	}
	n, err := s.queueDigests(ctx, now, func(boardID int64) bool { return of(boardID).Digest })
	return queued + n, err
}

// queueReminder queues one reminder to each of its recipients with an email.
func (s *Store) queueReminder(ctx context.Context, tx *txn, r Reminder, today time.Time) (int, error) {
	due := "on " + ukDate(r.DueOn)
	if r.ByMeeting {
		due = "at the meeting on " + ukDate(r.DueOn)
	}
	when := "in " + plural(int(r.DueOn.Sub(today).Hours()/24+0.5), "day")
	if r.DueOn.Equal(today) {
		when = "today"
	}
	subject := fmt.Sprintf("Reminder: action %s is due %s", r.Ref, due)
	n := 0
	for _, p := range r.Recipients {
		if strings.TrimSpace(p.Email) == "" {
			continue
		}
		var body strings.Builder
		fmt.Fprintf(&body, "Dear %s,\n\n", p.Name)
		fmt.Fprintf(&body, "Action %s of the %s is due %s (%s):\n\n  %s\n\n", r.Ref, r.BoardName, due, when, r.Text)
		fmt.Fprintf(&body, "Post progress or mark it done at %s/actions/%d.\n\n-- \nQuorum, for the %s\n", s.MailBase, r.ActionID, r.BoardName)
		key := fmt.Sprintf("reminder:action:%d:due:%s:person:%d", r.ActionID, r.DueOn.Format(time.DateOnly), p.PersonID)
		ok, err := outbox.Enqueue(ctx, tx, p.Email, subject, body.String(), key)
		if errs.Code(err) == errs.Invalid {
			continue // an address that is not one: nobody to send to
		}
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// isoWeek names the ISO week of a day: 2026-W03.
func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// queueDigests queues, once per ISO week and not before Monday at DigestFrom, a digest to
// every person with an email who is to act on open actions of boards wanting digests:
// the people a reminder of each would go to.
func (s *Store) queueDigests(ctx context.Context, now time.Time, wants func(boardID int64) bool) (int, error) {
	q := s.db // read outside any write transaction; each digest is queued in its own
	local := now.In(london)
	today := londonDay(now)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	if local.Before(monday.Add(DigestFrom)) {
		return 0, nil
	}
	week := isoWeek(today)
	var done int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM action_digest_weeks WHERE week = ?`, week).Scan(&done); err != nil {
		return 0, err
	}
	if done > 0 {
		return 0, nil
	}
	day := today.Format(time.DateOnly)
	// Who is to act on what: person and role owners, and the members seated for each
	// owning organisation or each organisation still to answer for a group (as recipients).
	rows, err := q.QueryContext(ctx, `WITH open AS (SELECT id, board_id FROM actions WHERE status IN ('open','in_progress')),
		orgs AS (SELECT action_id, organisation_id FROM action_owners WHERE organisation_id IS NOT NULL
			UNION SELECT action_id, organisation_id FROM action_responses WHERE status = 'pending')
		SELECT open.board_id, o.person_id, open.id FROM open JOIN action_owners o ON o.action_id = open.id WHERE o.person_id IS NOT NULL
		UNION
		SELECT open.board_id, m.person_id, open.id FROM open JOIN orgs ON orgs.action_id = open.id
		JOIN memberships m ON m.board_id = open.board_id AND m.role <> 'clerk' AND (m.ends_on = '' OR m.ends_on >= ?1)
		JOIN people p ON p.id = m.person_id AND coalesce(m.organisation_id, p.organisation_id) = orgs.organisation_id`, day)
	if err != nil {
		return 0, err
	}
	byPerson := map[int64][]int64{}
	for rows.Next() {
		var board, person, action int64
		if err := rows.Scan(&board, &person, &action); err != nil {
			rows.Close()
			return 0, err
		}
		if wants(board) {
			byPerson[person] = append(byPerson[person], action)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	people := slices.Sorted(func(yield func(int64) bool) {
		for id := range byPerson {
			if !yield(id) {
				return
			}
		}
	})
	queued := 0
	for _, id := range people {
		var name, email string
		if err := q.QueryRowContext(ctx, `SELECT name, email FROM people WHERE id = ?`, id).Scan(&name, &email); err != nil {
			return queued, err
		}
		if strings.TrimSpace(email) == "" {
			continue
		}
		as, err := s.queryActions(ctx, q, `SELECT `+actionCols+actionFrom+` WHERE a.id IN (SELECT value FROM json_each(?))
			ORDER BY `+dueKey+`, a.ref`, idList(byPerson[id]))
		if err != nil {
			return queued, err
		}
		subject := fmt.Sprintf("Your open actions: %s", plural(len(as), "action"))
		key := fmt.Sprintf("digest:person:%d:%s", id, week)
		ok, err := outbox.Enqueue(ctx, q, email, subject, s.digestBody(name, as, now), key)
		if errs.Code(err) == errs.Invalid {
			continue
		}
		if err != nil {
			return queued, err
		}
		if ok {
			queued++
		}
	}
	_, err = q.ExecContext(ctx, `INSERT INTO action_digest_weeks (week, queued) VALUES (?, ?) ON CONFLICT (week) DO NOTHING`, week, queued)
	return queued, err
}

// digestBody lists a person's open actions, overdue first as the log sorts them.
func (s *Store) digestBody(name string, as []Action, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Dear %s,\n\nThese actions are yours to do, or your organisation's:\n\n", name)
	for _, a := range as {
		due := "no due date"
		if !a.Due.IsZero() {
			due = "due " + a.Due.String()
		}
		if a.Overdue {
			due += ", overdue"
		}
		fmt.Fprintf(&b, "- %s (%s, %s)\n  %s\n  %s/actions/%d\n", a.Ref, a.BoardShort, due, a.Text, s.MailBase, a.ID)
	}
	fmt.Fprintf(&b, "\nAll your actions: %s/my/actions\n\n-- \nQuorum, weekly digest of %s\n", s.MailBase, ukDate(now))
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
