package meetings

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

// MaxPaperSize is the largest paper Quorum takes: agenda packs go out by email.
const MaxPaperSize = 20 << 20

// Paper is a PDF on an agenda item. Versions of one paper share a series; the newest is
// the one in the pack, and the older ones stay downloadable.
type Paper struct {
	ID         int64     `json:"id"`
	ItemID     int64     `json:"item_id"`
	MeetingID  int64     `json:"meeting_id"`
	SeriesID   int64     `json:"series_id"`
	Version    int       `json:"version"`
	Title      string    `json:"title"`
	Filename   string    `json:"filename"`
	Size       int64     `json:"size"`
	Pages      int       `json:"pages"`
	SHA256     string    `json:"sha256"`
	Supplement bool      `json:"supplement"`
	Superseded bool      `json:"superseded"`
	UploadedBy string    `json:"uploaded_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Updated reports whether this is a later version of a paper: the pack says "updated".
func (p Paper) Updated() bool { return p.Version > 1 }

// SizeLabel is the size as people read it: 240 KB, 3.1 MB.
func (p Paper) SizeLabel() string {
	if p.Size < 1<<20 {
		return fmt.Sprintf("%d KB", (p.Size+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(p.Size)/(1<<20))
}

var disableConfig sync.Once

// CheckPDF reads data as a PDF and returns its page count. It refuses what is not a PDF,
// a PDF that pdfcpu cannot read, and any encrypted PDF (packs are merged and stamped, and
// an encrypted paper would not survive that).
func CheckPDF(data []byte) (pages int, err error) {
	disableConfig.Do(api.DisableConfigDir)
	if len(data) == 0 {
		return 0, errs.Field("file", "The selected file is empty")
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return 0, errs.Field("file", "The selected file must be a PDF")
	}
	// pdfcpu reports broken files as errors, but guard against a panic on hostile input.
	defer func() {
		if r := recover(); r != nil {
			pages, err = 0, errs.Field("file", "The selected file is a damaged PDF and cannot be read: save it again as PDF and upload that")
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadAndValidate(bytes.NewReader(data), conf)
	if err != nil {
		if isEncryptedErr(err) {
			return 0, errs.Field("file", "The selected PDF is protected by a password or encrypted: upload a copy without protection")
		}
		return 0, errs.Field("file", "The selected file is a damaged PDF and cannot be read: save it again as PDF and upload that")
	}
	if ctx.Encrypt != nil || ctx.E != nil {
		return 0, errs.Field("file", "The selected PDF is protected by a password or encrypted: upload a copy without protection")
	}
	if ctx.PageCount < 1 {
		return 0, errs.Field("file", "The selected PDF has no pages")
	}
	if err := activeContent(ctx); err != nil {
		return 0, err
	}
	return ctx.PageCount, nil
}

// activeContent refuses a PDF that carries scripts, actions that run by themselves, or
// files inside it. Papers go out in packs to every partner and onto the public site, so a
// paper must be a document to read and nothing more. Refusing is chosen over stripping:
// a stripped paper is no longer the file the author sent, and a clerk who re-exports it
// (print to PDF) gets a clean one that the pack then carries unchanged.
//
// Every object of the file is looked at (those in object streams too, since pdfcpu has
// read them all), and names are compared decoded, so /J#61vaScript is JavaScript.
func activeContent(ctx *model.Context) error {
	var found activeKind
	for _, e := range ctx.XRefTable.Table {
		if e != nil && !e.Free && e.Object != nil {
			found |= scanObject(ctx, e.Object, 0)
		}
	}
	switch {
	case found == 0:
		return nil
	case found&script != 0:
		return errs.Field("file", "The selected PDF contains JavaScript, which papers may not carry: save or print it as PDF again without scripts (or forms), and upload that")
	case found&launch != 0:
		return errs.Field("file", "The selected PDF contains an action that starts a program, which papers may not carry: save or print it as PDF again, and upload that")
	case found&embedded != 0:
		return errs.Field("file", "The selected PDF has files embedded in it (attachments), which papers may not carry: remove the attachments, or upload each as a paper of its own")
	default:
		return errs.Field("file", "The selected PDF runs an action when it is opened or viewed, which papers may not carry: save or print it as PDF again, and upload that")
	}
}

// activeKind is what a PDF carries besides its pages; the refusal names the worst.
type activeKind uint8

const (
	script   activeKind = 1 << iota // JavaScript, or an XFA form (which holds scripts)
	launch                          // an action that starts a program
	embedded                        // files inside the PDF
	auto                            // an action run on opening the document or a page
)

// scanObject looks through one object and the objects written inside it (not those it
// refers to: each of those is an entry of the table, and is looked at in its turn).
func scanObject(ctx *model.Context, o types.Object, depth int) activeKind {
	if depth > 64 {
		return 0
	}
	var d types.Dict
	switch o := o.(type) {
	case types.Dict:
		d = o
	case types.StreamDict:
		d = o.Dict
	case *types.StreamDict:
		d = o.Dict
	case types.ObjectStreamDict:
		d = o.Dict
	case types.XRefStreamDict:
		d = o.Dict
	case types.Array:
		var k activeKind
		for _, v := range o {
			k |= scanObject(ctx, v, depth+1)
		}
		return k
	default:
		return 0
	}
	var k activeKind
	for key, v := range d {
		switch decodedName(key) {
		case "JS", "JavaScript", "XFA": // a script, the document's scripts, an XFA form
			k |= script
		case "EmbeddedFiles", "EF", "RichMedia":
			k |= embedded
		case "AA": // actions run on opening a page, entering a field and the like
			k |= auto
		case "OpenAction":
			if !isNavigation(ctx, v) {
				k |= auto
			}
		case "S":
			switch name(v) {
			case "JavaScript":
				k |= script
			case "Launch":
				k |= launch
			case "GoToE":
				k |= embedded
			}
		case "Type":
			if name(v) == "EmbeddedFile" {
				k |= embedded
			}
		case "Subtype":
			if n := name(v); n == "FileAttachment" || n == "RichMedia" {
				k |= embedded
			}
		}
		k |= scanObject(ctx, v, depth+1)
	}
	return k
}

// isNavigation reports whether an /OpenAction only opens the document at a place: a
// destination, or a GoTo action (with nothing chained after it).
func isNavigation(ctx *model.Context, v types.Object) bool {
	o, err := ctx.Dereference(v)
	if err != nil {
		return false
	}
	switch o := o.(type) {
	case nil, types.Array, types.Name, types.StringLiteral, types.HexLiteral:
		return true
	case types.Dict:
		_, next := o["Next"]
		return name(o["S"]) == "GoTo" && !next
	}
	return false
}

func decodedName(s string) string {
	if d, err := types.DecodeName(s); err == nil {
		return d
	}
	return s
}

func name(o types.Object) string {
	switch n := o.(type) {
	case types.Name:
		return decodedName(string(n))
	case *types.Name:
		if n != nil {
			return decodedName(string(*n))
		}
	}
	return ""
}

func isEncryptedErr(err error) bool {
	m := strings.ToLower(err.Error())
	return strings.Contains(m, "password") || strings.Contains(m, "encrypt") || strings.Contains(m, "decrypt")
}

// NewPaper is a paper as uploaded.
type NewPaper struct {
	ItemID   int64
	Title    string // defaults to the file name without .pdf
	Filename string
	Data     []byte
	// Replaces is a paper this one is a new version of (any version of its series).
	Replaces int64
	By       string
}

func cleanFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." {
		name = "paper.pdf"
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:196]) + ".pdf"
	}
	if !strings.HasSuffix(strings.ToLower(name), ".pdf") {
		name += ".pdf"
	}
	return name
}

// AddPaper checks an uploaded PDF and attaches it to its item. The same file twice in one
// meeting is refused; a paper uploaded after the agenda was published is a supplement.
func (s *Store) AddPaper(ctx context.Context, np NewPaper) (*Paper, error) {
	if len(np.Data) > MaxPaperSize {
		return nil, errs.E(errs.TooLarge, "The selected file must be smaller than %d MB", MaxPaperSize>>20)
	}
	p := &Paper{ItemID: np.ItemID, Filename: cleanFilename(np.Filename), Title: strings.TrimSpace(np.Title), Size: int64(len(np.Data)), UploadedBy: np.By}
	if p.Title == "" {
		p.Title = strings.TrimSuffix(strings.TrimSuffix(p.Filename, ".pdf"), ".PDF")
	}
	if err := checkText("title", "Title", p.Title, 200); err != nil {
		return nil, err
	}
	pages, err := CheckPDF(np.Data)
	if err != nil {
		return nil, err
	}
	p.Pages = pages
	sum := sha256.Sum256(np.Data)
	p.SHA256 = hex.EncodeToString(sum[:])
	err = db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var status, published string
		var exempt bool
		err := tx.QueryRowContext(ctx, `SELECT i.meeting_id, m.status, m.published_at, i.exempt FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id WHERE i.id = ?`,
			np.ItemID).Scan(&p.MeetingID, &status, &published, &exempt)
		if db.IsNoRows(err) {
			return errs.E(errs.NotFound, "No agenda item %d", np.ItemID)
		}
		if err != nil {
			return err
		}
		if status == StatusMinutesApproved || status == StatusCancelled {
			return errs.E(errs.Conflict, "This meeting is %s: its papers can no longer change", map[string]string{StatusCancelled: "cancelled", StatusMinutesApproved: "minuted and approved"}[status])
		}
		var dupTitle string
		var dupNumber string
		err = tx.QueryRowContext(ctx, `SELECT p.title, i.number FROM papers p JOIN agenda_items i ON i.id = p.item_id WHERE p.meeting_id = ? AND p.sha256 = ?`,
			p.MeetingID, p.SHA256).Scan(&dupTitle, &dupNumber)
		if err == nil {
			return errs.Field("file", "This file is already a paper of this meeting (%s, item %s)", dupTitle, dupNumber)
		}
		if !db.IsNoRows(err) {
			return err
		}
		p.Version = 1
		if np.Replaces != 0 {
			var item int64
			var series sql.NullInt64
			err := tx.QueryRowContext(ctx, `SELECT item_id, series_id FROM papers WHERE id = ?`, np.Replaces).Scan(&item, &series)
			if db.IsNoRows(err) || (err == nil && item != np.ItemID) {
				return errs.Field("replaces", "Choose a paper of this item to replace")
			}
			if err != nil {
				return err
			}
			p.SeriesID = np.Replaces
			if series.Valid {
				p.SeriesID = series.Int64
			}
			tx.QueryRowContext(ctx, `SELECT coalesce(max(version),0)+1 FROM papers WHERE id = ?1 OR series_id = ?1`, p.SeriesID).Scan(&p.Version)
			if _, err := tx.ExecContext(ctx, `UPDATE papers SET superseded = 1 WHERE id = ?1 OR series_id = ?1`, p.SeriesID); err != nil {
				return err
			}
		}
		p.Supplement = published != ""
		p.CreatedAt = time.Now().UTC().Truncate(time.Second)
		res, err := tx.ExecContext(ctx, `INSERT INTO papers (item_id, meeting_id, series_id, version, title, filename, size, pages, sha256,
			supplement, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ItemID, p.MeetingID, nullID(p.SeriesID), p.Version, p.Title, p.Filename, p.Size, p.Pages, p.SHA256,
			boolInt(p.Supplement), p.UploadedBy, p.CreatedAt.Format(timeFormat))
		if db.IsUnique(err) {
			return errs.Field("file", "This file is already a paper of this meeting")
		}
		if err != nil {
			return fmt.Errorf("add paper: %w", err)
		}
		p.ID, _ = res.LastInsertId()
		if p.SeriesID == 0 {
			p.SeriesID = p.ID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO paper_files (paper_id, data) VALUES (?, ?)`, p.ID, np.Data); err != nil {
			return fmt.Errorf("store paper: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET agenda_version = agenda_version + 1 WHERE id = ?`, p.MeetingID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "paper.add", "paper", p.ID, nil, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

const paperCols = `p.id, p.item_id, p.meeting_id, coalesce(p.series_id, p.id), p.version, p.title, p.filename, p.size, p.pages, p.sha256,
	p.supplement, p.superseded, p.uploaded_by, p.created_at`

func scanPaper(sc interface{ Scan(...any) error }) (Paper, error) {
	var p Paper
	var created string
	err := sc.Scan(&p.ID, &p.ItemID, &p.MeetingID, &p.SeriesID, &p.Version, &p.Title, &p.Filename, &p.Size, &p.Pages, &p.SHA256,
		&p.Supplement, &p.Superseded, &p.UploadedBy, &created)
	p.CreatedAt, _ = time.Parse(timeFormat, created)
	return p, err
}

// Papers lists a meeting's papers, the current version of each first, in upload order.
func (s *Store) Papers(ctx context.Context, meetingID int64) ([]Paper, error) {
	rows, err := s.query(ctx, `SELECT `+paperCols+` FROM papers p WHERE p.meeting_id = ?
		ORDER BY p.item_id, p.superseded, coalesce(p.series_id, p.id), p.version DESC`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Paper
	for rows.Next() {
		p, err := scanPaper(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Paper returns one paper, without its bytes.
func (s *Store) Paper(ctx context.Context, id int64) (*Paper, error) {
	p, err := scanPaper(s.queryRow(ctx, `SELECT `+paperCols+` FROM papers p WHERE p.id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No paper %d", id)
	}
	return &p, err
}

// PaperFile returns a paper's PDF.
func (s *Store) PaperFile(ctx context.Context, id int64) ([]byte, error) {
	var data []byte
	err := s.queryRow(ctx, `SELECT data FROM paper_files WHERE paper_id = ?`, id).Scan(&data)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No paper %d", id)
	}
	return data, err
}

// PaperBoard returns the board a paper belongs to.
func (s *Store) PaperBoard(ctx context.Context, paperID int64) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT m.board_id FROM papers p JOIN meetings m ON m.id = p.meeting_id WHERE p.id = ?`, paperID).Scan(&id)
	if db.IsNoRows(err) {
		return 0, errs.E(errs.NotFound, "Page not found")
	}
	return id, err
}

// attachPapers puts each paper on its item.
func attachPapers(items []AgendaItem, papers []Paper) {
	index := map[int64]int{}
	for i := range items {
		index[items[i].ID] = i
	}
	for _, p := range papers {
		if i, ok := index[p.ItemID]; ok {
			items[i].Papers = append(items[i].Papers, p)
		}
	}
}
