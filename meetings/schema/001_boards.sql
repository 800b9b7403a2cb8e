-- Organisations, people, boards and who sits on them.
CREATE TABLE organisations (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE COLLATE NOCASE,
	-- handle used in the minutes: ACTION @police
	handle TEXT NOT NULL UNIQUE COLLATE NOCASE,
	kind TEXT NOT NULL DEFAULT 'other'
		CHECK (kind IN ('council','police','fire','health','probation','voluntary','housing','other')),
	-- a partner organisation answers for itself when an action is owned by @partners
	partner INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);

-- A person may have no account (officers, guests); accounts point at people.
CREATE TABLE people (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	job_title TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	initials TEXT NOT NULL DEFAULT '',
	handle TEXT NOT NULL DEFAULT '',
	organisation_id INTEGER REFERENCES organisations(id),
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE UNIQUE INDEX people_email ON people(email COLLATE NOCASE) WHERE email <> '';
CREATE UNIQUE INDEX people_handle ON people(handle COLLATE NOCASE) WHERE handle <> '';
CREATE INDEX people_organisation ON people(organisation_id);

CREATE TABLE boards (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	short_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
	parent_id INTEGER REFERENCES boards(id),
	clerk_id INTEGER REFERENCES people(id),
	-- continuous: 1, 2, 3 ... for ever; yearly: restart each municipal year; none
	numbering TEXT NOT NULL DEFAULT 'continuous' CHECK (numbering IN ('continuous','yearly','none')),
	year_start_month INTEGER NOT NULL DEFAULT 5 CHECK (year_start_month BETWEEN 1 AND 12),
	public INTEGER NOT NULL DEFAULT 0,
	default_start TEXT NOT NULL DEFAULT '10:00',
	default_minutes INTEGER NOT NULL DEFAULT 120,
	default_mode TEXT NOT NULL DEFAULT 'in_person' CHECK (default_mode IN ('in_person','virtual','hybrid')),
	default_place TEXT NOT NULL DEFAULT '',
	-- quorum: a number of members, or when quorum_share is set, a share (0-100 per cent)
	quorum_count INTEGER NOT NULL DEFAULT 0,
	quorum_share INTEGER NOT NULL DEFAULT 0,
	description TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX boards_parent ON boards(parent_id);

CREATE TABLE memberships (
	id INTEGER PRIMARY KEY,
	board_id INTEGER NOT NULL REFERENCES boards(id),
	person_id INTEGER NOT NULL REFERENCES people(id),
	role TEXT NOT NULL DEFAULT 'member'
		CHECK (role IN ('chair','vice-chair','member','substitute','adviser','clerk')),
	-- the organisation whose seat this is (a person may move, the seat stays)
	organisation_id INTEGER REFERENCES organisations(id),
	starts_on TEXT NOT NULL DEFAULT '',
	ends_on TEXT NOT NULL DEFAULT '',
	deputy_id INTEGER REFERENCES people(id),
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX memberships_board ON memberships(board_id);
CREATE INDEX memberships_person ON memberships(person_id);

-- Standing items go onto every agenda of their board, in position order.
CREATE TABLE standing_items (
	id INTEGER PRIMARY KEY,
	board_id INTEGER NOT NULL REFERENCES boards(id),
	position INTEGER NOT NULL DEFAULT 0,
	title TEXT NOT NULL,
	purpose TEXT NOT NULL DEFAULT 'verbal update',
	presenter TEXT NOT NULL DEFAULT ''
);
CREATE INDEX standing_items_board ON standing_items(board_id);

CREATE TABLE meetings (
	id INTEGER PRIMARY KEY,
	board_id INTEGER NOT NULL REFERENCES boards(id),
	-- RFC 3339 in UTC; shown in Europe/London
	starts_at TEXT NOT NULL,
	ends_at TEXT NOT NULL DEFAULT '',
	mode TEXT NOT NULL DEFAULT 'in_person' CHECK (mode IN ('in_person','virtual','hybrid')),
	place TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'scheduled'
		CHECK (status IN ('scheduled','agenda_published','held','minutes_draft','minutes_approved','cancelled')),
	-- what partners see when a meeting is cancelled or moved
	notice TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX meetings_board_starts ON meetings(board_id, starts_at);

CREATE TABLE agenda_items (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id),
	position INTEGER NOT NULL,
	number TEXT NOT NULL,
	title TEXT NOT NULL,
	kind TEXT NOT NULL DEFAULT 'substantive' CHECK (kind IN ('standard','standing','substantive')),
	-- which standard item this is (welcome, apologies, declarations, minutes, aob, next_meeting)
	standard_key TEXT NOT NULL DEFAULT '',
	purpose TEXT NOT NULL DEFAULT '',
	presenter TEXT NOT NULL DEFAULT '',
	duration_minutes INTEGER NOT NULL DEFAULT 0,
	exempt INTEGER NOT NULL DEFAULT 0,
	exempt_reason TEXT NOT NULL DEFAULT '',
	postponed_to INTEGER REFERENCES meetings(id),
	postponed_from INTEGER REFERENCES meetings(id),
	standing_item_id INTEGER REFERENCES standing_items(id),
	-- the board's minute number, assigned when the minutes draft is first saved
	minute_number TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id, position);

CREATE TABLE attendance (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id),
	person_id INTEGER NOT NULL REFERENCES people(id),
	status TEXT NOT NULL CHECK (status IN ('present','also_present','apologies','absent')),
	role_at_meeting TEXT NOT NULL DEFAULT '',
	substitute_for INTEGER REFERENCES people(id),
	UNIQUE (meeting_id, person_id)
);

CREATE TABLE declarations (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id),
	item_id INTEGER REFERENCES agenda_items(id),
	person_id INTEGER NOT NULL REFERENCES people(id),
	nature TEXT NOT NULL,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
