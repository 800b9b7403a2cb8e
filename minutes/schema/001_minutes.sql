-- Minutes: one markdown text per meeting, every saved version, the resolutions read out of
-- it, and the minute numbers given to its item headings. Meetings' and actions' tables are
-- created before these.

CREATE TABLE minutes (
	meeting_id INTEGER PRIMARY KEY REFERENCES meetings(id),
	status TEXT NOT NULL DEFAULT 'draft'
		CHECK (status IN ('draft','with_chair','circulated','approved','signed')),
	text TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	-- the later meeting that approved them as a correct record
	approved_at_meeting_id INTEGER REFERENCES meetings(id),
	approved_at TEXT NOT NULL DEFAULT '',
	signed_by TEXT NOT NULL DEFAULT '',
	signed_at TEXT NOT NULL DEFAULT '',
	chair_comment TEXT NOT NULL DEFAULT '',
	chair_comment_by TEXT NOT NULL DEFAULT '',
	chair_comment_at TEXT NOT NULL DEFAULT '',
	updated_by TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);

-- Approved minutes are the official record of the meeting: they never change again, and a
-- correction is a new resolution of a later meeting. The store refuses first (409); these
-- triggers are the backstop for anything that reaches the table another way.
CREATE TRIGGER minutes_approved_text_fixed
BEFORE UPDATE OF text ON minutes
WHEN OLD.status IN ('approved','signed') AND NEW.text IS NOT OLD.text
BEGIN
	SELECT RAISE(ABORT, 'approved minutes cannot be changed');
END;

CREATE TRIGGER minutes_approved_stay_approved
BEFORE UPDATE OF status ON minutes
WHEN OLD.status IN ('approved','signed') AND NEW.status NOT IN ('approved','signed')
BEGIN
	SELECT RAISE(ABORT, 'approved minutes cannot be changed');
END;

CREATE TRIGGER minutes_approved_not_deleted
BEFORE DELETE ON minutes
WHEN OLD.status IN ('approved','signed')
BEGIN
	SELECT RAISE(ABORT, 'approved minutes cannot be deleted');
END;

-- Every saved version, kept for the diff page and for the record.
CREATE TABLE minutes_versions (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id),
	version INTEGER NOT NULL,
	text TEXT NOT NULL,
	status TEXT NOT NULL,
	saved_by TEXT NOT NULL DEFAULT '',
	saved_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
	UNIQUE (meeting_id, version)
);

CREATE TRIGGER minutes_versions_kept
BEFORE DELETE ON minutes_versions
BEGIN
	SELECT RAISE(ABORT, 'saved versions of minutes are kept');
END;

CREATE TRIGGER minutes_versions_fixed
BEFORE UPDATE ON minutes_versions
BEGIN
	SELECT RAISE(ABORT, 'saved versions of minutes are kept as they were saved');
END;

-- The editor's autosave: the text as typed, unparsed. It never creates actions and is
-- offered back on the edit page until the minutes are saved.
CREATE TABLE minutes_autosave (
	meeting_id INTEGER PRIMARY KEY REFERENCES meetings(id),
	text TEXT NOT NULL,
	saved_by TEXT NOT NULL DEFAULT '',
	saved_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);

-- What each meeting RESOLVED. kind 'minutes' rows are read out of the meeting's own minutes
-- and replaced on every save; kind 'approval' rows record that this meeting approved the
-- minutes of an earlier one, and stay.
CREATE TABLE resolutions (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id),
	kind TEXT NOT NULL DEFAULT 'minutes' CHECK (kind IN ('minutes','approval')),
	item_id INTEGER REFERENCES agenda_items(id),
	item_number TEXT NOT NULL DEFAULT '',
	minute_number TEXT NOT NULL DEFAULT '',
	ordinal INTEGER NOT NULL,
	text TEXT NOT NULL,
	line INTEGER NOT NULL DEFAULT 0,
	-- for kind 'approval': the meeting whose minutes were approved
	approves_meeting_id INTEGER REFERENCES meetings(id),
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX resolutions_meeting ON resolutions(meeting_id, kind);

-- The minute number of every item heading of a meeting's minutes, on the agenda or not,
-- so that numbers stay as first given and the next one follows the board's highest.
-- seq is the number's leading integer; year the municipal year for yearly numbering.
CREATE TABLE minute_numbers (
	meeting_id INTEGER NOT NULL REFERENCES meetings(id),
	board_id INTEGER NOT NULL REFERENCES boards(id),
	item_number TEXT NOT NULL,
	minute_number TEXT NOT NULL,
	seq INTEGER NOT NULL DEFAULT 0,
	year INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (meeting_id, item_number)
);
CREATE INDEX minute_numbers_board ON minute_numbers(board_id, year, seq);
