-- A plan's workbook uploaded for import, held on the server between the preview the clerk
-- checks and their confirm, so that nothing the browser sends back decides what is
-- imported. Only the token's SHA-256 is kept. stamp fingerprints the plan and what the
-- workbook would do to it at the preview: a confirm that finds another is refused. A
-- confirmed import keeps its row (without the file) until it expires, so that a second
-- confirm of the same token imports nothing.
CREATE TABLE plan_imports (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
	-- who previewed it: only they may confirm it
	user_id INTEGER NOT NULL DEFAULT 0,
	filename TEXT NOT NULL DEFAULT '',
	content BLOB NOT NULL,
	stamp TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_imports_expires ON plan_imports(expires_at);
