package main

import (
	"context"
	"database/sql"
	"fmt"

	"quorum/actions"
	"quorum/internal/audit"
	"quorum/internal/auth"
	"quorum/internal/db"
	"quorum/internal/mailer"
	"quorum/internal/outbox"
	"quorum/internal/web"
	"quorum/meetings"
	"quorum/minutes"
	"quorum/minutes/importer"
)

// app is an open, migrated database and the stores over it.
type app struct {
	db       *sql.DB
	meetings *meetings.Store
	users    *auth.Store
	minutes  *minutes.Store
	actions  *actions.Store
}

// migrations in foreign-key order: meetings' tables before accounts, actions, minutes.
func migrations() []db.Source {
	return []db.Source{
		{Name: "audit", FS: audit.Schema()},
		{Name: "meetings", FS: meetings.Schema()},
		{Name: "auth", FS: auth.Schema()},
		{Name: "outbox", FS: outbox.Schema()},
		{Name: "mailer", FS: mailer.Schema()},
		{Name: "actions", FS: actions.Schema()},
		{Name: "minutes", FS: minutes.Schema()},
		{Name: "importer", FS: importer.Schema()},
	}
}

func openApp(ctx context.Context, file string) (*app, error) {
	d, err := db.Open(file)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, d, migrations()...); err != nil {
		d.Close()
		return nil, fmt.Errorf("migrate %s: %w", file, err)
	}
	a := &app{db: d, meetings: meetings.NewStore(d), users: auth.NewStore(d)}
	a.actions = actions.NewStore(d)
	a.minutes = minutes.NewStore(d, a.meetings, a.actions)
	return a, nil
}

func (a *app) Close() error { return a.db.Close() }

// boardRoles answers the access checks, which every signed-in request to a board makes:
// through prepared statements.
type boardRoles struct{ stmts *db.Stmts }

func newBoardRoles(d *sql.DB) boardRoles { return boardRoles{db.NewStmts(d)} }

// Roles reads the board's clerk and the person's memberships that have not ended. A
// member whose membership starts later already sees the board (an incoming member reads
// the next pack); the chair's authority begins on the day it starts.
func (b boardRoles) Roles(ctx context.Context, personID, boardID int64) (web.Roles, error) {
	var r web.Roles
	err := b.stmts.QueryRowContext(ctx, `SELECT
		EXISTS(SELECT 1 FROM boards WHERE id = ?1 AND clerk_id = ?2) OR
		EXISTS(SELECT 1 FROM memberships WHERE board_id = ?1 AND person_id = ?2 AND role = 'clerk'
			AND (ends_on = '' OR ends_on >= date('now'))),
		EXISTS(SELECT 1 FROM memberships WHERE board_id = ?1 AND person_id = ?2
			AND (ends_on = '' OR ends_on >= date('now'))),
		EXISTS(SELECT 1 FROM memberships WHERE board_id = ?1 AND person_id = ?2 AND role IN ('chair', 'vice-chair')
			AND (starts_on = '' OR starts_on <= date('now')) AND (ends_on = '' OR ends_on >= date('now')))`,
		boardID, personID).Scan(&r.Clerk, &r.Member, &r.Chair)
	return r, err
}

func (b boardRoles) Public(ctx context.Context, boardID int64) (bool, error) {
	var pub bool
	err := b.stmts.QueryRowContext(ctx, `SELECT public FROM boards WHERE id = ?`, boardID).Scan(&pub)
	return pub, err
}
