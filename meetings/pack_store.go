package meetings

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

// Pack is a published pack, without its bytes.
type Pack struct {
	ID         int64      `json:"id"`
	MeetingID  int64      `json:"meeting_id"`
	Version    int        `json:"version"`
	Restricted bool       `json:"restricted"`
	Supplement int        `json:"supplement,omitempty"`
	Pages      int        `json:"pages"`
	Size       int64      `json:"size"`
	SHA256     string     `json:"sha256"`
	Parts      []PartPage `json:"parts"`
	Papers     []int64    `json:"papers"`
	Changes    string     `json:"changes,omitempty"`
	BuiltBy    string     `json:"built_by,omitempty"`
	BuiltAt    time.Time  `json:"built_at"`
}

// Name is what the pack is called: "Agenda pack", "Supplement 1", "Restricted agenda pack".
func (p Pack) Name() string {
	n := "Agenda pack"
	if p.Supplement > 0 {
		n = fmt.Sprintf("Supplement %d", p.Supplement)
	}
	if p.Restricted {
		n = "Restricted " + lowerFirst(n)
	}
	return n
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// SizeLabel is the size as people read it.
func (p Pack) SizeLabel() string { return Paper{Size: p.Size}.SizeLabel() }

// FileName is the download's name: "NSCP-2026-03-19-agenda-pack-v2.pdf".
func (p Pack) FileName(boardShort string, starts time.Time) string {
	kind := "agenda-pack"
	if p.Supplement > 0 {
		kind = fmt.Sprintf("supplement-%d", p.Supplement)
	}
	if p.Restricted {
		kind = "restricted-" + kind
	}
	name := fmt.Sprintf("%s-%s-%s", boardShort, starts.In(London).Format("2006-01-02"), kind)
	if p.Version > 1 && p.Supplement == 0 {
		name += fmt.Sprintf("-v%d", p.Version)
	}
	return name + ".pdf"
}

// NewPack is a pack built and ready to keep.
type NewPack struct {
	Restricted bool
	Supplement int
	Pages      int
	PDF        []byte
	Parts      []PartPage
	Papers     []int64
	Changes    string
}

// SavePacks keeps the packs of one publication of a meeting's pack as its next version,
// and publishes the agenda if it wasn't yet. then runs in the same transaction (to queue
// the mail that tells partners). It returns the version.
func (s *Store) SavePacks(ctx context.Context, meetingID int64, packs []NewPack, by string, then func(tx *sql.Tx, version int) error) (int, error) {
	var version int
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM meetings WHERE id = ?`, meetingID).Scan(&status)
		if db.IsNoRows(err) {
			return errs.E(errs.NotFound, "No meeting %d", meetingID)
		}
		if err != nil {
			return err
		}
		if status == StatusCancelled || status == StatusMinutesApproved {
			return errs.E(errs.Conflict, "This meeting is %s: its pack can no longer change", map[string]string{StatusCancelled: "cancelled", StatusMinutesApproved: "minuted and approved"}[status])
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version),0)+1 FROM packs WHERE meeting_id = ?`, meetingID).Scan(&version); err != nil {
			return err
		}
		now := time.Now().UTC().Format(timeFormat)
		for _, p := range packs {
			sum := sha256.Sum256(p.PDF)
			parts, _ := json.Marshal(p.Parts)
			papers, _ := json.Marshal(orEmpty(p.Papers))
			res, err := tx.ExecContext(ctx, `INSERT INTO packs (meeting_id, version, restricted, supplement, pages, size, sha256, parts, papers, changes, built_by, built_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, meetingID, version, boolInt(p.Restricted), p.Supplement, p.Pages, len(p.PDF),
				hex.EncodeToString(sum[:]), string(parts), string(papers), p.Changes, by, now)
			if err != nil {
				return fmt.Errorf("save pack: %w", err)
			}
			id, _ := res.LastInsertId()
			if _, err := tx.ExecContext(ctx, `INSERT INTO pack_files (pack_id, data) VALUES (?, ?)`, id, p.PDF); err != nil {
				return fmt.Errorf("save pack file: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET status = ?, published_at = ? WHERE id = ? AND status = ?`,
			StatusAgendaPublished, now, meetingID, StatusScheduled); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET published_at = ? WHERE id = ? AND published_at = ''`, now, meetingID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "meeting.publish_pack", "meeting", meetingID, nil, map[string]int{"version": version}); err != nil {
			return err
		}
		if then != nil {
			return then(tx, version)
		}
		return nil
	})
	return version, err
}

func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

const packCols = `id, meeting_id, version, restricted, supplement, pages, size, sha256, parts, papers, changes, built_by, built_at`

func scanPack(sc interface{ Scan(...any) error }) (Pack, error) {
	var p Pack
	var parts, papers, at string
	err := sc.Scan(&p.ID, &p.MeetingID, &p.Version, &p.Restricted, &p.Supplement, &p.Pages, &p.Size, &p.SHA256, &parts, &papers, &p.Changes, &p.BuiltBy, &at)
	json.Unmarshal([]byte(parts), &p.Parts)
	json.Unmarshal([]byte(papers), &p.Papers)
	p.BuiltAt, _ = time.Parse(timeFormat, at)
	return p, err
}

// Packs lists a meeting's packs, newest version first.
func (s *Store) Packs(ctx context.Context, meetingID int64) ([]Pack, error) {
	rows, err := s.query(ctx, `SELECT `+packCols+` FROM packs WHERE meeting_id = ? ORDER BY version DESC, supplement, restricted`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Pack{}
	for rows.Next() {
		p, err := scanPack(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PackFile returns one pack with its bytes: of version (0: the latest), restricted or not,
// the full pack (supplement 0) or a supplement.
func (s *Store) PackFile(ctx context.Context, meetingID int64, version int, restricted bool, supplement int) (*Pack, []byte, error) {
	q := `SELECT ` + packCols + ` FROM packs WHERE meeting_id = ?1 AND restricted = ?2 AND supplement = ?3 AND (?4 = 0 OR version = ?4)
		ORDER BY version DESC LIMIT 1`
	p, err := scanPack(s.queryRow(ctx, q, meetingID, boolInt(restricted), supplement, version))
	if db.IsNoRows(err) {
		return nil, nil, errs.E(errs.NotFound, "No such pack for this meeting")
	}
	if err != nil {
		return nil, nil, err
	}
	var data []byte
	if err := s.queryRow(ctx, `SELECT data FROM pack_files WHERE pack_id = ?`, p.ID).Scan(&data); err != nil {
		return nil, nil, err
	}
	return &p, data, nil
}
