-- Importing old minutes: the owner names a board's old minutes use, as the clerk mapped them
-- once to the board's people and organisations, and the original kept for each meeting
-- being imported, so that it can be converted again (with new mappings) until it is saved.
-- Meetings' and minutes' tables are created before these.

CREATE TABLE import_owner_map (
	board_id INTEGER NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
	-- the owner as found in the old minutes ("JS", "Rachel Dunley", "Met Police")
	found TEXT NOT NULL COLLATE NOCASE,
	-- the handle, initials, role, organisation or group it stands for, without the @
	handle TEXT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
	PRIMARY KEY (board_id, found)
);

CREATE TABLE import_uploads (
	meeting_id INTEGER PRIMARY KEY REFERENCES meetings(id) ON DELETE CASCADE,
	filename TEXT NOT NULL DEFAULT '',
	format TEXT NOT NULL CHECK (format IN ('text','docx')),
	original BLOB NOT NULL,
	uploaded_by TEXT NOT NULL DEFAULT '',
	uploaded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
	-- once saved as the meeting's minutes: what the import found and did (JSON), and when
	summary TEXT NOT NULL DEFAULT '',
	saved_at TEXT NOT NULL DEFAULT ''
);
