-- Agenda building, the forward plan, papers, apologies and the register of interests.

-- A meeting's agenda carries a version: every change to the agenda bumps it, and a form
-- that was opened on an older version is refused, so two clerks never overwrite each other.
ALTER TABLE meetings ADD COLUMN agenda_version INTEGER NOT NULL DEFAULT 1;
-- When the agenda was published (RFC 3339); papers added after it are supplements.
ALTER TABLE meetings ADD COLUMN published_at TEXT NOT NULL DEFAULT '';
-- Where and when the meeting was first due, once it has been moved.
ALTER TABLE meetings ADD COLUMN moved_from TEXT NOT NULL DEFAULT '';

-- The work programme: items a board means to take at a later meeting.
CREATE TABLE forward_plan (
	id INTEGER PRIMARY KEY,
	board_id INTEGER NOT NULL REFERENCES boards(id),
	title TEXT NOT NULL,
	purpose TEXT NOT NULL DEFAULT '',
	-- who brings it: a person or an organisation, as the clerk writes it
	owner TEXT NOT NULL DEFAULT '',
	target_meeting_id INTEGER REFERENCES meetings(id),
	status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','scheduled','done','withdrawn')),
	notes TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX forward_plan_board ON forward_plan(board_id, target_meeting_id);
CREATE INDEX forward_plan_target ON forward_plan(target_meeting_id);

-- sub: 1 for a sub-item (7a), which belongs to the top-level item before it.
ALTER TABLE agenda_items ADD COLUMN sub INTEGER NOT NULL DEFAULT 0;
-- The forward-plan entry the item came from.
ALTER TABLE agenda_items ADD COLUMN forward_id INTEGER REFERENCES forward_plan(id);
CREATE INDEX agenda_items_postponed_to ON agenda_items(postponed_to);

-- Papers: PDFs on agenda items, kept in the database so that a backup holds everything.
-- A new version of a paper shares the first version's series id; older versions stay.
CREATE TABLE papers (
	id INTEGER PRIMARY KEY,
	item_id INTEGER NOT NULL REFERENCES agenda_items(id),
	meeting_id INTEGER NOT NULL REFERENCES meetings(id),
	series_id INTEGER REFERENCES papers(id),
	version INTEGER NOT NULL DEFAULT 1,
	title TEXT NOT NULL,
	filename TEXT NOT NULL,
	size INTEGER NOT NULL,
	pages INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	-- added after the agenda was published
	supplement INTEGER NOT NULL DEFAULT 0,
	-- a later version replaced this one
	superseded INTEGER NOT NULL DEFAULT 0,
	uploaded_by TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX papers_item ON papers(item_id);
CREATE UNIQUE INDEX papers_meeting_sha ON papers(meeting_id, sha256);

-- The bytes apart from the row, so that listing papers never reads them.
CREATE TABLE paper_files (
	paper_id INTEGER PRIMARY KEY REFERENCES papers(id),
	data BLOB NOT NULL
);

-- A member who sends apologies may name a substitute from their own organisation.
ALTER TABLE attendance ADD COLUMN substitute_id INTEGER REFERENCES people(id);
-- Who recorded the line: the clerk, or the member themselves.
ALTER TABLE attendance ADD COLUMN sent_by_self INTEGER NOT NULL DEFAULT 0;

-- Declarations: whether the member declared it themselves, and whether they left the room.
ALTER TABLE declarations ADD COLUMN by_self INTEGER NOT NULL DEFAULT 0;
ALTER TABLE declarations ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';
CREATE INDEX declarations_person ON declarations(person_id);
CREATE INDEX declarations_meeting ON declarations(meeting_id);

-- The register of interests a person holds, across every board they sit on.
CREATE TABLE interests (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people(id),
	kind TEXT NOT NULL DEFAULT 'other',
	nature TEXT NOT NULL,
	starts_on TEXT NOT NULL DEFAULT '',
	ends_on TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX interests_person ON interests(person_id);
