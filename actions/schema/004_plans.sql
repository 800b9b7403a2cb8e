-- Plans: a board's action plan (the Violence Reduction Action Plan and the like), its
-- themes, its actions with their RAG status and leads, the history of every change, its
-- sign-off, and the templates plans are made from.

-- Templates a clerk saved from a plan. The templates Quorum ships (the VRAP) live in the
-- code, not here. content is the template as JSON: its themes, their actions and the
-- offices that sign the plan off.
CREATE TABLE plan_templates (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	content TEXT NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);

CREATE TABLE plans (
	id INTEGER PRIMARY KEY,
	board_id INTEGER NOT NULL REFERENCES boards(id),
	title TEXT NOT NULL,
	-- the years the plan covers: 2024 to 2027
	start_year INTEGER NOT NULL,
	end_year INTEGER NOT NULL,
	-- who owns the plan: a person, or as written (the Community Safety Partnership)
	owner_person_id INTEGER REFERENCES people(id),
	owner TEXT NOT NULL DEFAULT '',
	-- the standing item whose every agenda carries the plan's update paper
	standing_item_id INTEGER REFERENCES standing_items(id),
	-- the date the signed plan is due to be sent (YYYY-MM-DD), and where
	deadline TEXT NOT NULL DEFAULT '',
	submit_to TEXT NOT NULL DEFAULT '',
	template TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
	CHECK (end_year >= start_year)
);
CREATE INDEX plans_board ON plans(board_id);
CREATE INDEX plans_standing_item ON plans(standing_item_id) WHERE standing_item_id IS NOT NULL;

CREATE TABLE plan_themes (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_themes_plan ON plan_themes(plan_id, position);

-- One action of a plan as it stands now; plan_action_history keeps every earlier state.
CREATE TABLE plan_actions (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
	theme_id INTEGER NOT NULL REFERENCES plan_themes(id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	-- 3.2: theme number and place in the theme, kept when actions are added later
	ref TEXT NOT NULL,
	mandatory INTEGER NOT NULL DEFAULT 0,
	title TEXT NOT NULL,
	outcome TEXT NOT NULL DEFAULT '',
	baseline TEXT NOT NULL DEFAULT '',
	lead_person_id INTEGER REFERENCES people(id),
	lead_organisation_id INTEGER REFERENCES organisations(id),
	start_date TEXT NOT NULL DEFAULT '',
	end_date TEXT NOT NULL DEFAULT '',
	progress TEXT NOT NULL DEFAULT '',
	comments TEXT NOT NULL DEFAULT '',
	rag TEXT NOT NULL DEFAULT '' CHECK (rag IN ('', 'red', 'amber', 'green', 'blue')),
	rag_set_on TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
	updated_by TEXT NOT NULL DEFAULT '',
	UNIQUE (plan_id, ref)
);
CREATE INDEX plan_actions_theme ON plan_actions(theme_id, position);
CREATE INDEX plan_actions_lead ON plan_actions(lead_person_id) WHERE lead_person_id IS NOT NULL;

-- Every state a plan action has had, written with each change (the first when it is
-- made): the whole action as JSON, so the plan as it stood on any day is the latest row
-- of each action up to that day.
CREATE TABLE plan_action_history (
	id INTEGER PRIMARY KEY,
	plan_action_id INTEGER NOT NULL REFERENCES plan_actions(id) ON DELETE CASCADE,
	plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
	changed_at TEXT NOT NULL,
	changed_by TEXT NOT NULL DEFAULT '',
	-- what changed, in words: "RAG amber to green; progress"
	summary TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL
);
CREATE INDEX plan_action_history_action ON plan_action_history(plan_action_id, changed_at, id);
CREATE INDEX plan_action_history_plan ON plan_action_history(plan_id, changed_at);

-- Supporting documents uploaded to a plan action (strategies, evaluations).
CREATE TABLE plan_documents (
	id INTEGER PRIMARY KEY,
	plan_action_id INTEGER NOT NULL REFERENCES plan_actions(id) ON DELETE CASCADE,
	filename TEXT NOT NULL,
	content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
	content BLOB NOT NULL,
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	added_by TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX plan_documents_action ON plan_documents(plan_action_id);

-- The offices that sign the plan off, and their signatures: made in Quorum by the person
-- holding the office, or made elsewhere and recorded by the clerk.
CREATE TABLE plan_signatories (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	office TEXT NOT NULL,
	person_id INTEGER REFERENCES people(id),
	-- the name signed under, as the signature shows it
	signed_name TEXT NOT NULL DEFAULT '',
	signed_on TEXT NOT NULL DEFAULT '',
	-- 'app': signed in Quorum; 'recorded': made elsewhere, recorded by the clerk
	method TEXT NOT NULL DEFAULT '' CHECK (method IN ('', 'app', 'recorded')),
	recorded_by TEXT NOT NULL DEFAULT '',
	recorded_at TEXT NOT NULL DEFAULT '',
	UNIQUE (plan_id, office COLLATE NOCASE)
);

-- Signed links for plan leads without an account: one action each; only the token's
-- SHA-256 is kept.
CREATE TABLE plan_links (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	plan_action_id INTEGER NOT NULL REFERENCES plan_actions(id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL REFERENCES people(id),
	expires_at TEXT NOT NULL,
	revoked_at TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX plan_links_action ON plan_links(plan_action_id);
