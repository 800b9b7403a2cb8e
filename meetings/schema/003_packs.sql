-- Agenda packs as published: built once per publication and kept, never rebuilt when
-- someone downloads one. Each publication of a meeting's pack is a version; the first
-- is the agenda pack, each later one follows late papers and comes with a supplement
-- (supplement = n) holding only what changed. The restricted pack holds the exempt
-- papers too and is stamped per copy with the name of whoever downloads it.
CREATE TABLE packs (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id),
	version INTEGER NOT NULL,
	restricted INTEGER NOT NULL DEFAULT 0,
	-- 0: the full pack; n: Supplement n, published with version n + 1
	supplement INTEGER NOT NULL DEFAULT 0,
	pages INTEGER NOT NULL,
	size INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	-- JSON: where each part starts, and the papers (ids) the pack holds
	parts TEXT NOT NULL DEFAULT '[]',
	papers TEXT NOT NULL DEFAULT '[]',
	-- what changed since the version before, as partners were told
	changes TEXT NOT NULL DEFAULT '',
	built_by TEXT NOT NULL DEFAULT '',
	built_at TEXT NOT NULL,
	UNIQUE (meeting_id, version, restricted, supplement)
);
CREATE INDEX packs_meeting ON packs(meeting_id, version);

-- The bytes apart from the row, so that listing packs never reads them.
CREATE TABLE pack_files (
	pack_id INTEGER PRIMARY KEY REFERENCES packs(id),
	data BLOB NOT NULL
);
