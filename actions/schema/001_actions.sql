-- The action log. Meetings' tables (boards, people, organisations, meetings, agenda_items)
-- are created before these.

-- Uploaded documents that complete an action (a disseminated plan, a presentation).
CREATE TABLE action_documents (
	id INTEGER PRIMARY KEY,
	filename TEXT NOT NULL,
	content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
	content BLOB NOT NULL,
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);

-- The last sequence number given per board and municipal year, so that a reference is
-- never given twice, even after the action that had it was deleted from a draft.
CREATE TABLE action_sequences (
	board_id INTEGER NOT NULL REFERENCES boards(id),
	year INTEGER NOT NULL,
	last_seq INTEGER NOT NULL,
	PRIMARY KEY (board_id, year)
);

CREATE TABLE actions (
	id INTEGER PRIMARY KEY,
	board_id INTEGER NOT NULL REFERENCES boards(id),
	-- SBP/26/07: board short name / municipal year / sequence
	ref TEXT NOT NULL UNIQUE COLLATE NOCASE,
	year INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	-- the meeting whose minutes set it; NULL for actions added by hand or imported
	meeting_id INTEGER REFERENCES meetings(id),
	item_id INTEGER REFERENCES agenda_items(id),
	item_number TEXT NOT NULL DEFAULT '',
	minute_number TEXT NOT NULL DEFAULT '',
	text TEXT NOT NULL,
	-- due by a date (YYYY-MM-DD), by a meeting, or by "the next meeting" while none is
	-- scheduled (due_next, counted from due_after: the start of the meeting that set or
	-- last carried it)
	due_date TEXT NOT NULL DEFAULT '',
	due_meeting_id INTEGER REFERENCES meetings(id),
	due_next INTEGER NOT NULL DEFAULT 0,
	due_after TEXT NOT NULL DEFAULT '',
	-- the due point as the minutes last set it (date:YYYY-MM-DD, meeting:ID, next), so that
	-- saving the minutes again changes the due point only when the clerk changed it, and
	-- never undoes a carry forward
	set_due TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','done','dropped')),
	dropped_reason TEXT NOT NULL DEFAULT '',
	dropped_at TEXT NOT NULL DEFAULT '',
	carried_forward INTEGER NOT NULL DEFAULT 0,
	completed_at TEXT NOT NULL DEFAULT '',
	completed_note TEXT NOT NULL DEFAULT '',
	completion_document_id INTEGER REFERENCES action_documents(id),
	-- the request that completed it, so that a repeated request is answered, not refused
	completion_key TEXT NOT NULL DEFAULT '',
	dissemination INTEGER NOT NULL DEFAULT 0,
	-- the line of the ACTION in the minutes of its meeting
	line INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
	UNIQUE (board_id, year, seq)
);
-- The log, the dashboard and carry forward read one board's actions by status: this
-- index keeps them proportional to the board, not to the database.
CREATE INDEX actions_board_status ON actions(board_id, status);
CREATE INDEX actions_meeting ON actions(meeting_id);
CREATE INDEX actions_due_meeting ON actions(due_meeting_id);
-- reminders look across boards for actions falling due on given days
CREATE INDEX actions_due_date ON actions(due_date) WHERE due_date <> '';

CREATE TABLE action_owners (
	id INTEGER PRIMARY KEY,
	action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
	position INTEGER NOT NULL DEFAULT 0,
	kind TEXT NOT NULL CHECK (kind IN ('person','organisation','role','group')),
	-- a person, or the person holding the role when the action was set
	person_id INTEGER REFERENCES people(id),
	organisation_id INTEGER REFERENCES organisations(id),
	role TEXT NOT NULL DEFAULT '',
	group_name TEXT NOT NULL DEFAULT '',
	-- as written in the minutes, without the @: JS, chair, police, partners
	label TEXT NOT NULL
);
CREATE INDEX action_owners_action ON action_owners(action_id);
CREATE INDEX action_owners_person ON action_owners(person_id) WHERE person_id IS NOT NULL;
CREATE INDEX action_owners_organisation ON action_owners(organisation_id) WHERE organisation_id IS NOT NULL;

-- For an action owned by a group, one line per organisation asked to answer.
CREATE TABLE action_responses (
	id INTEGER PRIMARY KEY,
	action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
	organisation_id INTEGER NOT NULL REFERENCES organisations(id),
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','answered')),
	note TEXT NOT NULL DEFAULT '',
	answered_by TEXT NOT NULL DEFAULT '',
	answered_at TEXT NOT NULL DEFAULT '',
	UNIQUE (action_id, organisation_id)
);
CREATE INDEX action_responses_organisation ON action_responses(organisation_id);

CREATE TABLE action_updates (
	id INTEGER PRIMARY KEY,
	action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
	text TEXT NOT NULL,
	author TEXT NOT NULL DEFAULT '',
	author_user_id INTEGER,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX action_updates_action ON action_updates(action_id, id);

-- The meetings an action passed through: set at one, carried from each it was due at
-- and not done, to the next.
CREATE TABLE action_meetings (
	id INTEGER PRIMARY KEY,
	action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id),
	kind TEXT NOT NULL CHECK (kind IN ('set','carried')),
	to_meeting_id INTEGER REFERENCES meetings(id),
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
	UNIQUE (action_id, meeting_id, kind)
);
CREATE INDEX action_meetings_meeting ON action_meetings(meeting_id);

-- Signed links for officers without an account: only the SHA-256 of the token is kept.
CREATE TABLE action_links (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL REFERENCES people(id),
	purpose TEXT NOT NULL DEFAULT 'action',
	expires_at TEXT NOT NULL,
	used_at TEXT NOT NULL DEFAULT '',
	revoked_at TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX action_links_action ON action_links(action_id);

-- Reminders sent, so that none goes twice for the same action and date.
CREATE TABLE action_reminders (
	id INTEGER PRIMARY KEY,
	action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
	kind TEXT NOT NULL DEFAULT 'due',
	for_date TEXT NOT NULL,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
	UNIQUE (action_id, kind, for_date)
);
