package meetings

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

// VotingRoles are the roles that count towards a quorum.
var VotingRoles = []string{"chair", "vice-chair", "member"}

// Attendance lists who was (or will be) at a meeting.
func (s *Store) Attendance(ctx context.Context, meetingID int64) ([]Attendance, error) {
	rows, err := s.query(ctx, `SELECT a.person_id, p.name, p.job_title, coalesce(o.name,''), a.status, a.role_at_meeting,
		coalesce(a.substitute_for,0), coalesce(sf.name,''), coalesce(a.substitute_id,0), coalesce(si.name,''), a.sent_by_self
		FROM attendance a JOIN people p ON p.id = a.person_id LEFT JOIN organisations o ON o.id = p.organisation_id
		LEFT JOIN people sf ON sf.id = a.substitute_for LEFT JOIN people si ON si.id = a.substitute_id
		WHERE a.meeting_id = ? ORDER BY CASE a.status WHEN 'present' THEN 0 WHEN 'also_present' THEN 1 WHEN 'apologies' THEN 2 ELSE 3 END,
		CASE a.role_at_meeting WHEN 'Chair' THEN 0 WHEN 'Vice-Chair' THEN 1 ELSE 2 END, p.name`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attendance{}
	for rows.Next() {
		var a Attendance
		if err := rows.Scan(&a.PersonID, &a.Name, &a.JobTitle, &a.OrganisationName, &a.Status, &a.Role, &a.SubstituteFor, &a.SubstituteForName,
			&a.SubstituteID, &a.SubstituteName, &a.SentBySelf); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// seat is a person's current seat on a board: their role and the organisation they sit for.
type seat struct {
	role string
	org  int64
}

// seatOn returns a person's seat on a board on day, or ok false. A person with several
// seats gets the one with the most weight (chair before member).
func seatOn(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, boardID, personID int64, day string) (seat, bool, error) {
	var st seat
	err := q.QueryRowContext(ctx, `SELECT m.role, coalesce(m.organisation_id, p.organisation_id, 0) FROM memberships m JOIN people p ON p.id = m.person_id
		WHERE m.board_id = ? AND m.person_id = ? AND (m.starts_on = '' OR m.starts_on <= ?) AND (m.ends_on = '' OR m.ends_on >= ?)
		ORDER BY `+roleOrder+` LIMIT 1`, boardID, personID, day, day).Scan(&st.role, &st.org)
	if db.IsNoRows(err) {
		return st, false, nil
	}
	return st, err == nil, err
}

func (st seat) voting() bool {
	return st.role == "chair" || st.role == "vice-chair" || st.role == "member"
}

// meetingForAttendance loads what attendance rules need to know about a meeting.
func meetingForAttendance(ctx context.Context, tx *sql.Tx, meetingID int64) (*Meeting, string, error) {
	var m Meeting
	var starts string
	err := tx.QueryRowContext(ctx, `SELECT id, board_id, starts_at, status FROM meetings WHERE id = ?`, meetingID).Scan(&m.ID, &m.BoardID, &starts, &m.Status)
	if db.IsNoRows(err) {
		return nil, "", errs.E(errs.NotFound, "No meeting %d", meetingID)
	}
	if err != nil {
		return nil, "", err
	}
	m.StartsAt, _ = time.Parse(timeFormat, starts)
	if m.Status == StatusCancelled {
		return nil, "", errs.E(errs.Conflict, "This meeting is cancelled")
	}
	return &m, m.StartsAt.In(London).Format("2006-01-02"), nil
}

func personOrg(ctx context.Context, tx *sql.Tx, personID int64) (org int64, name string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT coalesce(organisation_id,0), name FROM people WHERE id = ?`, personID).Scan(&org, &name)
	if db.IsNoRows(err) {
		return 0, "", errs.Field("person_id", "Choose a person who exists")
	}
	return org, name, err
}

// MarkAttendance is RecordAttendance, under the name the clerk's attendance form calls.
func (s *Store) MarkAttendance(ctx context.Context, meetingID int64, a Attendance) error {
	return s.RecordAttendance(ctx, meetingID, a)
}

// RecordAttendance sets one person's attendance at a meeting: members present (with
// their role at the meeting), absent or with apologies; officers and guests also present;
// a substitute present for a named voting member, who must come from the organisation
// whose seat they fill.
func (s *Store) RecordAttendance(ctx context.Context, meetingID int64, a Attendance) error {
	switch a.Status {
	case Present, AlsoPresent, Apologies, Absent:
	default:
		return errs.Field("status", "Choose present, also present, apologies or absent")
	}
	if a.SubstituteFor != 0 && a.SubstituteFor == a.PersonID {
		return errs.Field("substitute_for", "A person cannot substitute for themselves")
	}
	if a.SubstituteFor != 0 && a.Status != Present {
		return errs.Field("substitute_for", "A substitute is recorded as present")
	}
	if err := checkText("role", "Role at the meeting", a.Role, 100, true); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		m, day, err := meetingForAttendance(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		org, name, err := personOrg(ctx, tx, a.PersonID)
		if err != nil {
			return err
		}
		_, member, err := seatOn(ctx, tx, m.BoardID, a.PersonID, day)
		if err != nil {
			return err
		}
		if a.SubstituteFor != 0 {
			for_, ok, err := seatOn(ctx, tx, m.BoardID, a.SubstituteFor, day)
			if err != nil {
				return err
			}
			if !ok || !for_.voting() {
				return errs.Field("substitute_for", "A substitute stands in for a voting member of this board")
			}
			if for_.org == 0 || for_.org != org {
				return errs.Field("substitute_for", "%s is not from the organisation whose seat they would fill: a substitute comes from the member’s own organisation", name)
			}
			var other string
			err = tx.QueryRowContext(ctx, `SELECT p.name FROM attendance a JOIN people p ON p.id = a.person_id
				WHERE a.meeting_id = ? AND a.substitute_for = ? AND a.person_id <> ?`, meetingID, a.SubstituteFor, a.PersonID).Scan(&other)
			if err == nil {
				return errs.Field("substitute_for", "%s is already recorded as the substitute for that member", other)
			}
			var status string
			tx.QueryRowContext(ctx, `SELECT status FROM attendance WHERE meeting_id = ? AND person_id = ?`, meetingID, a.SubstituteFor).Scan(&status)
			if status == Present {
				return errs.Field("substitute_for", "That member is recorded as present, so nobody can substitute for them")
			}
		} else if a.Status == Present && !member {
			return errs.Field("status", "%s is not a member of this board: record them as also present, or as substituting for a member", name)
		}
		if a.Status == Present && a.SubstituteFor == 0 {
			var sub string
			err = tx.QueryRowContext(ctx, `SELECT p.name FROM attendance a JOIN people p ON p.id = a.person_id
				WHERE a.meeting_id = ? AND a.substitute_for = ?`, meetingID, a.PersonID).Scan(&sub)
			if err == nil {
				return errs.Field("status", "%s is recorded as substituting for %s: change that first", sub, name)
			}
		}
		var substitute any
		if a.Status == Apologies && a.SubstituteID != 0 {
			substitute = a.SubstituteID
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO attendance (meeting_id, person_id, status, role_at_meeting, substitute_for, substitute_id, sent_by_self)
			VALUES (?, ?, ?, ?, ?, ?, 0)
			ON CONFLICT (meeting_id, person_id) DO UPDATE SET status = excluded.status, role_at_meeting = excluded.role_at_meeting,
			substitute_for = excluded.substitute_for,
			substitute_id = CASE WHEN excluded.status = 'apologies' THEN coalesce(excluded.substitute_id, attendance.substitute_id) END,
			sent_by_self = CASE WHEN excluded.status = 'apologies' THEN attendance.sent_by_self ELSE 0 END`,
			meetingID, a.PersonID, a.Status, a.Role, nullID(a.SubstituteFor), substitute)
		if err != nil {
			return fmt.Errorf("record attendance: %w", err)
		}
		return audit.Record(ctx, tx, "attendance.record", "meeting", meetingID, nil, a)
	})
}

// RemoveAttendance takes a person off a meeting's attendance record.
func (s *Store) RemoveAttendance(ctx context.Context, meetingID, personID int64) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM attendance WHERE meeting_id = ? AND person_id = ?`, meetingID, personID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Field("person_id", "Choose someone on the attendance record")
		}
		return audit.Record(ctx, tx, "attendance.remove", "meeting", meetingID, map[string]int64{"person_id": personID}, nil)
	})
}

// SendApologies records a member's own apologies for a meeting still to come, with the
// substitute they name (0 for none), who must come from the organisation whose seat the
// member holds.
func (s *Store) SendApologies(ctx context.Context, meetingID, personID, substituteID int64, now time.Time) error {
	if substituteID == personID && substituteID != 0 {
		return errs.Field("substitute_id", "Name someone else as your substitute")
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		m, day, err := meetingForAttendance(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if !m.StartsAt.After(now) {
			return errs.E(errs.Conflict, "This meeting has started: ask the clerk to record your apologies")
		}
		st, ok, err := seatOn(ctx, tx, m.BoardID, personID, day)
		if err != nil {
			return err
		}
		if !ok {
			return errs.E(errs.Conflict, "You are not a member of this board, so there is nothing to send apologies for")
		}
		if substituteID != 0 {
			org, name, err := personOrg(ctx, tx, substituteID)
			if err != nil {
				return errs.Field("substitute_id", "Choose a substitute from your organisation")
			}
			if st.org == 0 || org != st.org {
				return errs.Field("substitute_id", "%s is not from the organisation whose seat you hold: a substitute comes from your own organisation", name)
			}
			var other string
			err = tx.QueryRowContext(ctx, `SELECT p.name FROM attendance a JOIN people p ON p.id = a.person_id
				WHERE a.meeting_id = ? AND a.substitute_for = ?`, meetingID, personID).Scan(&other)
			if err == nil && other != name {
				return errs.Field("substitute_id", "The clerk has already recorded %s as your substitute", other)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO attendance (meeting_id, person_id, status, substitute_id, sent_by_self) VALUES (?, ?, 'apologies', ?, 1)
			ON CONFLICT (meeting_id, person_id) DO UPDATE SET status = 'apologies', role_at_meeting = '', substitute_for = NULL,
			substitute_id = excluded.substitute_id, sent_by_self = 1`, meetingID, personID, nullID(substituteID))
		if err != nil {
			return fmt.Errorf("send apologies: %w", err)
		}
		return audit.Record(ctx, tx, "attendance.apologies", "meeting", meetingID, nil, map[string]int64{"person_id": personID, "substitute_id": substituteID})
	})
}

// WithdrawApologies takes back a member's apologies before the meeting.
func (s *Store) WithdrawApologies(ctx context.Context, meetingID, personID int64, now time.Time) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		m, _, err := meetingForAttendance(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if !m.StartsAt.After(now) {
			return errs.E(errs.Conflict, "This meeting has started: ask the clerk to change the attendance record")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM attendance WHERE meeting_id = ? AND person_id = ? AND status = 'apologies'`, meetingID, personID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "You have not sent apologies for this meeting")
		}
		return audit.Record(ctx, tx, "attendance.withdraw_apologies", "meeting", meetingID, nil, map[string]int64{"person_id": personID})
	})
}

// QuorumCheck says whether enough voting members are present for the meeting to decide.
type QuorumCheck struct {
	Set     bool // the board has a quorum rule
	Present int  // voting members present, and substitutes for voting members
	Needed  int
	Voting  int // voting members of the board on the day
	Met     bool
}

// Quorum counts the voting members present at a meeting against the board's rule: a
// number of members, or a share of its voting members (rounded up).
func (s *Store) Quorum(ctx context.Context, meetingID int64) (QuorumCheck, error) {
	var q QuorumCheck
	var boardID int64
	var starts string
	var count, share int
	err := s.queryRow(ctx, `SELECT m.board_id, m.starts_at, b.quorum_count, b.quorum_share FROM meetings m JOIN boards b ON b.id = m.board_id WHERE m.id = ?`,
		meetingID).Scan(&boardID, &starts, &count, &share)
	if db.IsNoRows(err) {
		return q, errs.E(errs.NotFound, "No meeting %d", meetingID)
	}
	if err != nil {
		return q, err
	}
	t, _ := time.Parse(timeFormat, starts)
	day := t.In(London).Format("2006-01-02")
	const voting = `role IN ('chair','vice-chair','member') AND (starts_on = '' OR starts_on <= ?2) AND (ends_on = '' OR ends_on >= ?2)`
	err = s.queryRow(ctx, `SELECT
		(SELECT count(DISTINCT person_id) FROM memberships WHERE board_id = ?1 AND `+voting+`),
		(SELECT count(*) FROM attendance a WHERE a.meeting_id = ?3 AND a.status = 'present' AND (
			EXISTS (SELECT 1 FROM memberships WHERE board_id = ?1 AND person_id = a.person_id AND `+voting+`) OR
			EXISTS (SELECT 1 FROM memberships WHERE board_id = ?1 AND person_id = a.substitute_for AND `+voting+`)))`,
		boardID, day, meetingID).Scan(&q.Voting, &q.Present)
	if err != nil {
		return q, err
	}
	switch {
	case share > 0:
		q.Set, q.Needed = true, (q.Voting*share+99)/100
	case count > 0:
		q.Set, q.Needed = true, count
	}
	q.Met = q.Set && q.Present >= q.Needed
	return q, nil
}

// Substitutes lists who may stand in for a member at a board's meetings: the other people
// of the organisation whose seat they hold.
func (s *Store) Substitutes(ctx context.Context, boardID, personID int64) ([]Person, error) {
	day := time.Now().In(London).Format("2006-01-02")
	st, ok, err := seatOn(ctx, cached{s}, boardID, personID, day)
	if err != nil || !ok || st.org == 0 {
		return nil, err
	}
	return s.people(ctx, `SELECT `+personCols+` FROM people p LEFT JOIN organisations o ON o.id = p.organisation_id
		WHERE p.organisation_id = ? AND p.id <> ? ORDER BY p.name`, st.org, personID)
}

// MyMeeting is an upcoming meeting as one member sees it: their apologies, if sent, and
// whom they may name as substitute.
type MyMeeting struct {
	Meeting
	Mine        *Attendance
	Substitutes []Person
}

// MyMeetings lists the upcoming meetings of every board a person sits on, with what they
// have told the clerk.
func (s *Store) MyMeetings(ctx context.Context, personID int64) ([]MyMeeting, error) {
	ms, err := s.PersonMeetings(ctx, personID)
	if err != nil {
		return nil, err
	}
	subs := map[int64][]Person{}
	out := make([]MyMeeting, len(ms))
	for i, m := range ms {
		out[i].Meeting = m
		if _, ok := subs[m.BoardID]; !ok {
			if subs[m.BoardID], err = s.Substitutes(ctx, m.BoardID, personID); err != nil {
				return nil, err
			}
		}
		out[i].Substitutes = subs[m.BoardID]
		if out[i].Mine, err = s.AttendanceOf(ctx, m.ID, personID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AttendanceOf returns one person's line on a meeting's attendance record, or nil.
func (s *Store) AttendanceOf(ctx context.Context, meetingID, personID int64) (*Attendance, error) {
	all, err := s.Attendance(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	return attendanceOf(all, personID), nil
}

// attendanceOf finds one person's record in a meeting's attendance, or nil.
func attendanceOf(all []Attendance, personID int64) *Attendance {
	for _, a := range all {
		if a.PersonID == personID {
			return &a
		}
	}
	return nil
}
