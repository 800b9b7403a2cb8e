package meetings

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

// Kinds of interest, as partnership boards borrow them from councils' codes of conduct.
var InterestKinds = []string{"pecuniary", "non-pecuniary", "other"}

// InterestKindLabel is a kind of interest in words.
func InterestKindLabel(k string) string {
	switch k {
	case "pecuniary":
		return "Pecuniary"
	case "non-pecuniary":
		return "Non-pecuniary"
	}
	return "Other"
}

func validKind(k string) bool {
	for _, v := range InterestKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Declaration is an interest a member declared in an item at a meeting.
type Declaration struct {
	ID         int64     `json:"id"`
	MeetingID  int64     `json:"meeting_id"`
	ItemID     int64     `json:"item_id"`
	ItemNumber string    `json:"item_number"`
	ItemTitle  string    `json:"item_title"`
	PersonID   int64     `json:"person_id"`
	PersonName string    `json:"name"`
	Kind       string    `json:"kind"`
	Nature     string    `json:"nature"`
	BySelf     bool      `json:"by_self"`
	BoardID    int64     `json:"board_id"`
	BoardName  string    `json:"board_name"`
	StartsAt   time.Time `json:"meeting_starts_at"`
}

// Declare records a declaration of interest in an item, by a member of the board or
// anyone on the meeting's attendance record.
func (s *Store) Declare(ctx context.Context, d *Declaration) error {
	d.Nature = strings.TrimSpace(d.Nature)
	if d.Kind == "" {
		d.Kind = "other"
	}
	if !validKind(d.Kind) {
		return errs.Field("kind", "Choose the kind of interest")
	}
	if d.ItemID == 0 {
		return errs.Field("item_id", "Choose the agenda item the interest is in")
	}
	if d.PersonID == 0 {
		return errs.Field("person_id", "Choose who declares the interest")
	}
	if err := checkText("nature", "Nature of the interest", d.Nature, 1000); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		m, day, err := meetingForAttendance(ctx, tx, d.MeetingID)
		if err != nil {
			return err
		}
		var itemMeeting int64
		err = tx.QueryRowContext(ctx, `SELECT meeting_id FROM agenda_items WHERE id = ?`, d.ItemID).Scan(&itemMeeting)
		if db.IsNoRows(err) || (err == nil && itemMeeting != d.MeetingID) {
			return errs.Field("item_id", "Choose an item on this meeting’s agenda")
		}
		if err != nil {
			return err
		}
		_, member, err := seatOn(ctx, tx, m.BoardID, d.PersonID, day)
		if err != nil {
			return err
		}
		if !member {
			var n int
			tx.QueryRowContext(ctx, `SELECT count(*) FROM attendance WHERE meeting_id = ? AND person_id = ?`, d.MeetingID, d.PersonID).Scan(&n)
			if n == 0 {
				return errs.Field("person_id", "Only members of the board, or people at the meeting, declare interests in its items")
			}
		}
		var n int
		tx.QueryRowContext(ctx, `SELECT count(*) FROM declarations WHERE item_id = ? AND person_id = ? AND nature = ?`, d.ItemID, d.PersonID, d.Nature).Scan(&n)
		if n > 0 {
			return errs.Field("nature", "That interest is already declared in this item")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO declarations (meeting_id, item_id, person_id, nature, by_self, kind) VALUES (?, ?, ?, ?, ?, ?)`,
			d.MeetingID, d.ItemID, d.PersonID, d.Nature, boolInt(d.BySelf), d.Kind)
		if err != nil {
			return fmt.Errorf("declare interest: %w", err)
		}
		d.ID, _ = res.LastInsertId()
		return audit.Record(ctx, tx, "declaration.create", "meeting", d.MeetingID, nil, d)
	})
}

// RemoveDeclaration takes back a declaration made in error.
func (s *Store) RemoveDeclaration(ctx context.Context, meetingID, id int64) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM declarations WHERE id = ? AND meeting_id = ?`, id, meetingID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Field("declaration_id", "Choose a declaration made at this meeting")
		}
		return audit.Record(ctx, tx, "declaration.remove", "meeting", meetingID, map[string]int64{"declaration": id}, nil)
	})
}

const declarationCols = `d.id, d.meeting_id, coalesce(d.item_id,0), coalesce(i.number,''), coalesce(i.title,''), d.person_id, p.name, d.kind, d.nature, d.by_self,
	m.board_id, b.name, m.starts_at`

const declarationFrom = ` FROM declarations d JOIN people p ON p.id = d.person_id JOIN meetings m ON m.id = d.meeting_id
	JOIN boards b ON b.id = m.board_id LEFT JOIN agenda_items i ON i.id = d.item_id`

func (s *Store) listDeclarations(ctx context.Context, where string, args ...any) ([]Declaration, error) {
	rows, err := s.query(ctx, `SELECT `+declarationCols+declarationFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Declaration
	for rows.Next() {
		var d Declaration
		var starts string
		if err := rows.Scan(&d.ID, &d.MeetingID, &d.ItemID, &d.ItemNumber, &d.ItemTitle, &d.PersonID, &d.PersonName, &d.Kind, &d.Nature, &d.BySelf,
			&d.BoardID, &d.BoardName, &starts); err != nil {
			return nil, err
		}
		d.StartsAt, _ = time.Parse(timeFormat, starts)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Declarations lists the interests declared at a meeting, in agenda order.
func (s *Store) Declarations(ctx context.Context, meetingID int64) ([]Declaration, error) {
	return s.listDeclarations(ctx, `d.meeting_id = ? ORDER BY i.position, p.name`, meetingID)
}

// Interest is an entry in a person's register of interests: held across every board they
// sit on, current until it ends.
type Interest struct {
	ID       int64  `json:"id"`
	PersonID int64  `json:"person_id"`
	Kind     string `json:"kind"`
	Nature   string `json:"nature"`
	StartsOn string `json:"starts_on,omitempty"`
	EndsOn   string `json:"ends_on,omitempty"`
}

// Current reports whether the interest is held on day (YYYY-MM-DD).
func (i Interest) Current(day string) bool { return i.EndsOn == "" || i.EndsOn >= day }

// Validate checks an interest.
func (i *Interest) Validate() error {
	i.Nature = strings.TrimSpace(i.Nature)
	if i.Kind == "" {
		i.Kind = "other"
	}
	if !validKind(i.Kind) {
		return errs.Field("kind", "Choose the kind of interest")
	}
	if err := checkText("nature", "Nature of the interest", i.Nature, 1000); err != nil {
		return err
	}
	m := Membership{PersonID: i.PersonID, Role: "member", StartsOn: i.StartsOn, EndsOn: i.EndsOn}
	return m.Validate()
}

// AddInterest adds an interest to a person's register.
func (s *Store) AddInterest(ctx context.Context, i *Interest) error {
	if err := i.Validate(); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, _, err := personOrg(ctx, tx, i.PersonID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO interests (person_id, kind, nature, starts_on, ends_on) VALUES (?, ?, ?, ?, ?)`,
			i.PersonID, i.Kind, i.Nature, i.StartsOn, i.EndsOn)
		if err != nil {
			return fmt.Errorf("add interest: %w", err)
		}
		i.ID, _ = res.LastInsertId()
		return audit.Record(ctx, tx, "interest.create", "person", i.PersonID, nil, i)
	})
}

// EndInterest records the day an interest ended; it stays on the register as past.
func (s *Store) EndInterest(ctx context.Context, personID, id int64, day string) error {
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return errs.Field("ends_on", "Enter a real date, such as 2026-05-21")
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var starts string
		err := tx.QueryRowContext(ctx, `SELECT starts_on FROM interests WHERE id = ? AND person_id = ?`, id, personID).Scan(&starts)
		if db.IsNoRows(err) {
			return errs.Field("interest_id", "Choose an interest on this person’s register")
		}
		if err != nil {
			return err
		}
		if starts != "" && day < starts {
			return errs.Field("ends_on", "The end date must be after the start date")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE interests SET ends_on = ? WHERE id = ?`, day, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "interest.end", "person", personID, nil, map[string]any{"interest": id, "ends_on": day})
	})
}

// Register is one person's register of interests: what they hold now, what they held,
// and what they declared at meetings of every board they sit on.
type Register struct {
	Person       Person
	Current      []Interest
	Past         []Interest
	Declarations []Declaration
}

// PersonRegister returns a person's register of interests.
func (s *Store) PersonRegister(ctx context.Context, personID int64) (*Register, error) {
	p, err := s.Person(ctx, personID)
	if err != nil {
		return nil, err
	}
	r := &Register{Person: *p}
	rows, err := s.query(ctx, `SELECT id, person_id, kind, nature, starts_on, ends_on FROM interests WHERE person_id = ?
		ORDER BY ends_on <> '', starts_on DESC, id DESC`, personID)
	if err != nil {
		return nil, err
	}
	day := time.Now().In(London).Format("2006-01-02")
	for rows.Next() {
		var i Interest
		if err := rows.Scan(&i.ID, &i.PersonID, &i.Kind, &i.Nature, &i.StartsOn, &i.EndsOn); err != nil {
			rows.Close()
			return nil, err
		}
		if i.Current(day) {
			r.Current = append(r.Current, i)
		} else {
			r.Past = append(r.Past, i)
		}
	}
	rows.Close()
	r.Declarations, err = s.listDeclarations(ctx, `d.person_id = ? ORDER BY m.starts_at DESC, i.position`, personID)
	return r, err
}

// BoardRegister returns the register of every current member of a board, by name, with
// their declarations at any board's meetings: interests follow the person.
func (s *Store) BoardRegister(ctx context.Context, boardID int64) ([]Register, error) {
	day := time.Now().In(London).Format("2006-01-02")
	rows, err := s.query(ctx, `SELECT DISTINCT m.person_id, p.name FROM memberships m JOIN people p ON p.id = m.person_id
		WHERE m.board_id = ? AND (m.ends_on = '' OR m.ends_on >= ?) ORDER BY p.name`, boardID, day)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]Register, 0, len(ids))
	for _, id := range ids {
		r, err := s.PersonRegister(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, nil
}
