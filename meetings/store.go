package meetings

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

// Store keeps boards, people and meetings in SQLite.
type Store struct {
	db    *sql.DB
	stmts *db.Stmts
}

// NewStore returns a store over an open, migrated database.
func NewStore(d *sql.DB) *Store { return &Store{db: d, stmts: db.NewStmts(d)} }

// DB is the store's database, for the packages above that join its tables.
func (s *Store) DB() *sql.DB { return s.db }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// change is one INSERT or UPDATE and its audit event, in one transaction. A UNIQUE
// failure becomes dup, the error the form shows; id is set from an INSERT.
type change struct {
	action, entity string
	id             *int64
	before, after  any
	dup            error
}

func (s *Store) apply(ctx context.Context, c change, query string, args ...any) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error { return applyIn(ctx, tx, c, query, args...) })
}

// applyIn is apply inside the caller's transaction.
func applyIn(ctx context.Context, tx *sql.Tx, c change, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if db.IsUnique(err) && c.dup != nil {
		return c.dup
	}
	if err != nil {
		return fmt.Errorf("%s: %w", c.action, err)
	}
	if *c.id == 0 {
		*c.id, _ = res.LastInsertId()
	}
	return audit.Record(ctx, tx, c.action, c.entity, *c.id, c.before, c.after)
}

var (
	errDupOrganisation = errs.Field("name", "An organisation with that name or handle already exists")
	errDupPerson       = errs.Field("email", "Someone with that email address or handle already exists")
)

// --- organisations

// CreateOrganisation adds an organisation.
func (s *Store) CreateOrganisation(ctx context.Context, o *Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return s.apply(ctx, change{action: "organisation.create", entity: "organisation", id: &o.ID, after: o, dup: errDupOrganisation},
		`INSERT INTO organisations (name, handle, kind, partner) VALUES (?, ?, ?, ?)`, o.Name, o.Handle, o.Kind, boolInt(o.Partner))
}

// UpdateOrganisation changes an organisation.
func (s *Store) UpdateOrganisation(ctx context.Context, o *Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	before, err := s.Organisation(ctx, o.ID)
	if err != nil {
		return err
	}
	return s.apply(ctx, change{action: "organisation.update", entity: "organisation", id: &o.ID, before: before, after: o, dup: errDupOrganisation},
		`UPDATE organisations SET name=?, handle=?, kind=?, partner=? WHERE id=?`, o.Name, o.Handle, o.Kind, boolInt(o.Partner), o.ID)
}

// Organisation returns one organisation.
func (s *Store) Organisation(ctx context.Context, id int64) (*Organisation, error) {
	var o Organisation
	err := s.queryRow(ctx, `SELECT id, name, handle, kind, partner FROM organisations WHERE id = ?`, id).
		Scan(&o.ID, &o.Name, &o.Handle, &o.Kind, &o.Partner)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No organisation %d", id)
	}
	return &o, err
}

// Organisations lists every organisation by name.
func (s *Store) Organisations(ctx context.Context) ([]Organisation, error) {
	rows, err := s.query(ctx, `SELECT id, name, handle, kind, partner FROM organisations ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		var o Organisation
		if err := rows.Scan(&o.ID, &o.Name, &o.Handle, &o.Kind, &o.Partner); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// --- people

const personCols = `p.id, p.name, p.job_title, p.email, p.initials, p.handle, coalesce(p.organisation_id,0), coalesce(o.name,'')`

func scanPerson(sc interface{ Scan(...any) error }) (Person, error) {
	var p Person
	err := sc.Scan(&p.ID, &p.Name, &p.JobTitle, &p.Email, &p.Initials, &p.Handle, &p.OrganisationID, &p.OrganisationName)
	return p, err
}

// CreatePerson adds a person (with or without an account).
func (s *Store) CreatePerson(ctx context.Context, p *Person) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error { return CreatePersonIn(ctx, tx, p) })
}

// CreatePersonIn is CreatePerson inside the caller's transaction (another domain's, such
// as a plan import that adds the leads it names with the import).
func CreatePersonIn(ctx context.Context, tx *sql.Tx, p *Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return applyIn(ctx, tx, change{action: "person.create", entity: "person", id: &p.ID, after: p, dup: errDupPerson},
		`INSERT INTO people (name, job_title, email, initials, handle, organisation_id) VALUES (?, ?, ?, ?, ?, ?)`,
		p.Name, p.JobTitle, p.Email, p.Initials, p.Handle, nullID(p.OrganisationID))
}

// UpdatePerson changes a person's details.
func (s *Store) UpdatePerson(ctx context.Context, p *Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	before, err := s.Person(ctx, p.ID)
	if err != nil {
		return err
	}
	return s.apply(ctx, change{action: "person.update", entity: "person", id: &p.ID, before: before, after: p, dup: errDupPerson},
		`UPDATE people SET name=?, job_title=?, email=?, initials=?, handle=?, organisation_id=? WHERE id=?`,
		p.Name, p.JobTitle, p.Email, p.Initials, p.Handle, nullID(p.OrganisationID), p.ID)
}

// Person returns one person.
func (s *Store) Person(ctx context.Context, id int64) (*Person, error) {
	p, err := scanPerson(s.queryRow(ctx, `SELECT `+personCols+` FROM people p LEFT JOIN organisations o ON o.id = p.organisation_id WHERE p.id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No person %d", id)
	}
	return &p, err
}

// PersonByEmail finds a person by email address.
func (s *Store) PersonByEmail(ctx context.Context, email string) (*Person, error) {
	p, err := scanPerson(s.queryRow(ctx, `SELECT `+personCols+` FROM people p LEFT JOIN organisations o ON o.id = p.organisation_id WHERE p.email = ? COLLATE NOCASE AND p.email <> ''`, email))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No person with that email address")
	}
	return &p, err
}

// people runs a query of personCols and reads its rows.
func (s *Store) people(ctx context.Context, query string, args ...any) ([]Person, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AttendanceCandidates are the people, other than the board's members, whom a clerk is
// likely to record at a meeting: the members' named deputies and everyone recorded at one of
// the board's meetings in the two years before this one (officers who present, regular
// guests, former members). The attendance form offers them with the members; anyone else is
// found by name or email (FindPerson), so the page never lists the whole directory.
func (s *Store) AttendanceCandidates(ctx context.Context, boardID int64, before time.Time) ([]Person, error) {
	day := before.In(London).Format("2006-01-02")
	return s.people(ctx, `SELECT `+personCols+` FROM people p LEFT JOIN organisations o ON o.id = p.organisation_id
		WHERE p.id IN (
			SELECT deputy_id FROM memberships WHERE board_id = ? AND deputy_id IS NOT NULL
			UNION SELECT a.person_id FROM meetings m JOIN attendance a ON a.meeting_id = m.id
				WHERE m.board_id = ? AND m.starts_at >= ? AND m.starts_at < ?)
		AND p.id NOT IN (SELECT person_id FROM memberships WHERE board_id = ? AND (ends_on = '' OR ends_on >= ?))
		ORDER BY p.name LIMIT 200`,
		boardID, boardID, before.AddDate(-2, 0, 0).UTC().Format(timeFormat), before.UTC().Format(timeFormat), boardID, day)
}

// FindPerson finds the one person whose email address or name is q (ignoring case), for
// forms where the clerk types who they mean.
func (s *Store) FindPerson(ctx context.Context, field, q string) (*Person, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, errs.Field(field, "Enter the person's name or email address")
	}
	found, err := s.people(ctx, `SELECT `+personCols+` FROM people p LEFT JOIN organisations o ON o.id = p.organisation_id
		WHERE (p.email = ? COLLATE NOCASE AND p.email <> '') OR p.name = ? COLLATE NOCASE ORDER BY p.email = ? COLLATE NOCASE DESC, p.id LIMIT 2`, q, q, q)
	if err != nil {
		return nil, err
	}
	switch {
	case len(found) == 0:
		return nil, errs.Field(field, "Nobody called %q is in Quorum: add them on the People page first, or check the spelling", q)
	case len(found) > 1 && !strings.EqualFold(found[0].Email, q):
		return nil, errs.Field(field, "More than one person is called %q: enter their email address instead", q)
	}
	return &found[0], nil
}

// People lists everyone by name.
func (s *Store) People(ctx context.Context) ([]Person, error) {
	return s.people(ctx, `SELECT `+personCols+` FROM people p LEFT JOIN organisations o ON o.id = p.organisation_id ORDER BY p.name`)
}

// --- boards

const boardCols = `b.id, b.name, b.short_name, coalesce(b.parent_id,0), coalesce(pb.name,''), coalesce(b.clerk_id,0),
	coalesce(c.name,''), coalesce(c.email,''), b.numbering, b.year_start_month, b.public, b.default_start, b.default_minutes,
	b.default_mode, b.default_place, b.quorum_count, b.quorum_share, b.description`

const boardFrom = ` FROM boards b LEFT JOIN boards pb ON pb.id = b.parent_id LEFT JOIN people c ON c.id = b.clerk_id`

func scanBoard(sc interface{ Scan(...any) error }) (Board, error) {
	var b Board
	err := sc.Scan(&b.ID, &b.Name, &b.ShortName, &b.ParentID, &b.ParentName, &b.ClerkID, &b.ClerkName, &b.ClerkEmail,
		&b.Numbering, &b.YearStartMonth, &b.Public, &b.DefaultStart, &b.DefaultMinutes, &b.DefaultMode, &b.DefaultPlace,
		&b.QuorumCount, &b.QuorumShare, &b.Description)
	return b, err
}

// CreateBoard adds a board.
func (s *Store) CreateBoard(ctx context.Context, b *Board) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := s.checkBoardRefs(ctx, tx, b); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO boards (name, short_name, parent_id, clerk_id, numbering, year_start_month, public,
			default_start, default_minutes, default_mode, default_place, quorum_count, quorum_share, description)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.Name, b.ShortName, nullID(b.ParentID), nullID(b.ClerkID), b.Numbering, b.YearStartMonth, boolInt(b.Public),
			b.DefaultStart, b.DefaultMinutes, b.DefaultMode, b.DefaultPlace, b.QuorumCount, b.QuorumShare, b.Description)
		if db.IsUnique(err) {
			return errs.Field("short_name", "Another board already uses the short name %s", b.ShortName)
		}
		if err != nil {
			return fmt.Errorf("create board: %w", err)
		}
		b.ID, _ = res.LastInsertId()
		return audit.Record(ctx, tx, "board.create", "board", b.ID, nil, b)
	})
}

// UpdateBoard changes a board's settings.
func (s *Store) UpdateBoard(ctx context.Context, b *Board) error {
	if err := b.Validate(); err != nil {
		return err
	}
	before, err := s.Board(ctx, b.ID)
	if err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := s.checkBoardRefs(ctx, tx, b); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE boards SET name=?, short_name=?, parent_id=?, clerk_id=?, numbering=?, year_start_month=?,
			public=?, default_start=?, default_minutes=?, default_mode=?, default_place=?, quorum_count=?, quorum_share=?, description=?
			WHERE id=?`,
			b.Name, b.ShortName, nullID(b.ParentID), nullID(b.ClerkID), b.Numbering, b.YearStartMonth, boolInt(b.Public),
			b.DefaultStart, b.DefaultMinutes, b.DefaultMode, b.DefaultPlace, b.QuorumCount, b.QuorumShare, b.Description, b.ID)
		if db.IsUnique(err) {
			return errs.Field("short_name", "Another board already uses the short name %s", b.ShortName)
		}
		if err != nil {
			return fmt.Errorf("update board %d: %w", b.ID, err)
		}
		return audit.Record(ctx, tx, "board.update", "board", b.ID, before, b)
	})
}

func (s *Store) checkBoardRefs(ctx context.Context, tx *sql.Tx, b *Board) error {
	if b.ParentID != 0 {
		if b.ParentID == b.ID {
			return errs.Field("parent_id", "A board cannot report to itself")
		}
		var n int
		tx.QueryRowContext(ctx, `SELECT count(*) FROM boards WHERE id = ?`, b.ParentID).Scan(&n)
		if n == 0 {
			return errs.Field("parent_id", "Choose a parent board that exists")
		}
		// A board may not report, through its parents, to itself.
		for p := b.ParentID; p != 0 && b.ID != 0; {
			var next sql.NullInt64
			tx.QueryRowContext(ctx, `SELECT parent_id FROM boards WHERE id = ?`, p).Scan(&next)
			if next.Int64 == b.ID {
				return errs.Field("parent_id", "That parent board already reports to this board")
			}
			p = next.Int64
		}
	}
	if b.ClerkID != 0 {
		var n int
		tx.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE id = ?`, b.ClerkID).Scan(&n)
		if n == 0 {
			return errs.Field("clerk_id", "Choose a clerk who exists")
		}
	}
	return nil
}

// Board returns one board with its members.
func (s *Store) Board(ctx context.Context, id int64) (*Board, error) {
	b, err := scanBoard(s.queryRow(ctx, `SELECT `+boardCols+boardFrom+` WHERE b.id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No board %d", id)
	}
	if err != nil {
		return nil, err
	}
	b.Members, err = s.Members(ctx, id)
	return &b, err
}

// BoardByShortName finds a board by its short name.
func (s *Store) BoardByShortName(ctx context.Context, short string) (*Board, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT id FROM boards WHERE short_name = ?`, short).Scan(&id)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No board with short name %s", short)
	}
	if err != nil {
		return nil, err
	}
	return s.Board(ctx, id)
}

// Boards lists every board, parents before their groups.
func (s *Store) Boards(ctx context.Context) ([]Board, error) {
	rows, err := s.query(ctx, `SELECT `+boardCols+boardFrom+` ORDER BY coalesce(pb.name, b.name), b.parent_id IS NOT NULL, b.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Board
	for rows.Next() {
		b, err := scanBoard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// --- membership

const memberCols = `m.id, m.board_id, bd.name, m.person_id, p.name, p.job_title, p.initials, p.email, m.role, coalesce(m.organisation_id, p.organisation_id, 0),
	coalesce(o.name, po.name, ''), m.starts_on, m.ends_on, coalesce(m.deputy_id,0), coalesce(d.name,'')`

const memberFrom = ` FROM memberships m JOIN people p ON p.id = m.person_id JOIN boards bd ON bd.id = m.board_id
	LEFT JOIN organisations o ON o.id = m.organisation_id
	LEFT JOIN organisations po ON po.id = p.organisation_id
	LEFT JOIN people d ON d.id = m.deputy_id`

func scanMember(sc interface{ Scan(...any) error }) (Membership, error) {
	var m Membership
	err := sc.Scan(&m.ID, &m.BoardID, &m.BoardName, &m.PersonID, &m.PersonName, &m.JobTitle, &m.Initials, &m.Email, &m.Role, &m.OrganisationID,
		&m.OrganisationName, &m.StartsOn, &m.EndsOn, &m.DeputyID, &m.DeputyName)
	return m, err
}

var roleOrder = `CASE m.role WHEN 'chair' THEN 0 WHEN 'vice-chair' THEN 1 WHEN 'member' THEN 2 WHEN 'adviser' THEN 3 WHEN 'substitute' THEN 4 ELSE 5 END`

// Members lists a board's memberships, chair first, then by organisation and name.
func (s *Store) Members(ctx context.Context, boardID int64) ([]Membership, error) {
	rows, err := s.query(ctx, `SELECT `+memberCols+memberFrom+` WHERE m.board_id = ? ORDER BY `+roleOrder+`, 11, p.name`, boardID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Membership returns one membership.
func (s *Store) Membership(ctx context.Context, id int64) (*Membership, error) {
	m, err := scanMember(s.queryRow(ctx, `SELECT `+memberCols+memberFrom+` WHERE m.id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No membership %d", id)
	}
	return &m, err
}

// AddMember seats a person on a board.
func (s *Store) AddMember(ctx context.Context, m *Membership) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var n int
		tx.QueryRowContext(ctx, `SELECT count(*) FROM boards WHERE id = ?`, m.BoardID).Scan(&n)
		if n == 0 {
			return errs.E(errs.NotFound, "No board %d", m.BoardID)
		}
		tx.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE id = ?`, m.PersonID).Scan(&n)
		if n == 0 {
			return errs.Field("person_id", "Choose a person who exists")
		}
		tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE board_id = ? AND person_id = ? AND role = ? AND ends_on = ''`,
			m.BoardID, m.PersonID, m.Role).Scan(&n)
		if n > 0 {
			return errs.Field("person_id", "That person already holds that role on this board")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO memberships (board_id, person_id, role, organisation_id, starts_on, ends_on, deputy_id)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, m.BoardID, m.PersonID, m.Role, nullID(m.OrganisationID), m.StartsOn, m.EndsOn, nullID(m.DeputyID))
		if err != nil {
			return fmt.Errorf("add member: %w", err)
		}
		m.ID, _ = res.LastInsertId()
		return audit.Record(ctx, tx, "membership.create", "membership", m.ID, nil, m)
	})
}

// UpdateMember changes a seat: role, organisation, dates, deputy.
func (s *Store) UpdateMember(ctx context.Context, m *Membership) error {
	if err := m.Validate(); err != nil {
		return err
	}
	before, err := s.Membership(ctx, m.ID)
	if err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE memberships SET role=?, organisation_id=?, starts_on=?, ends_on=?, deputy_id=? WHERE id=?`,
			m.Role, nullID(m.OrganisationID), m.StartsOn, m.EndsOn, nullID(m.DeputyID), m.ID)
		if err != nil {
			return fmt.Errorf("update member %d: %w", m.ID, err)
		}
		return audit.Record(ctx, tx, "membership.update", "membership", m.ID, before, m)
	})
}

// PersonBoards lists the board roles a person holds today.
func (s *Store) PersonBoards(ctx context.Context, personID int64) ([]Membership, error) {
	day := time.Now().In(London).Format("2006-01-02")
	rows, err := s.query(ctx, `SELECT `+memberCols+memberFrom+` WHERE m.person_id = ? AND (m.ends_on = '' OR m.ends_on >= ?)`, personID, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ParseID reads an id from a URL or form; anything else is not found.
func ParseID(s, what string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "No %s %q", what, s)
	}
	return id, nil
}

// MeetingBoard returns the board a meeting belongs to.
func (s *Store) MeetingBoard(ctx context.Context, meetingID int64) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT board_id FROM meetings WHERE id = ?`, meetingID).Scan(&id)
	if db.IsNoRows(err) {
		return 0, errs.E(errs.NotFound, "Page not found")
	}
	return id, err
}

// MembershipBoard returns the board a membership belongs to.
func (s *Store) MembershipBoard(ctx context.Context, membershipID int64) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT board_id FROM memberships WHERE id = ?`, membershipID).Scan(&id)
	if db.IsNoRows(err) {
		return 0, errs.E(errs.NotFound, "Page not found")
	}
	return id, err
}

// VisibleBoards lists the boards a person may see: every board for clerks and admins
// (all is true), otherwise the boards they sit on and the public ones.
func (s *Store) VisibleBoards(ctx context.Context, personID int64, all bool) ([]Board, error) {
	boards, err := s.Boards(ctx)
	if err != nil || all {
		return boards, err
	}
	mine := map[int64]bool{}
	if personID != 0 {
		rows, err := s.query(ctx, `SELECT board_id FROM memberships WHERE person_id = ? AND (ends_on = '' OR ends_on >= date('now'))`, personID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			mine[id] = true
		}
		rows.Close()
	}
	var out []Board
	for _, b := range boards {
		if b.Public || mine[b.ID] {
			out = append(out, b)
		}
	}
	return out, nil
}

// PersonMeetings lists the upcoming meetings of the boards a person sits on.
func (s *Store) PersonMeetings(ctx context.Context, personID int64) ([]Meeting, error) {
	return s.listMeetings(ctx, `SELECT `+meetingCols+` FROM meetings m JOIN boards b ON b.id = m.board_id
		WHERE m.board_id IN (SELECT board_id FROM memberships WHERE person_id = ? AND (ends_on = '' OR ends_on >= date('now')))
		AND m.starts_at >= ? ORDER BY m.starts_at LIMIT 50`, personID, time.Now().UTC().Format(timeFormat))
}
