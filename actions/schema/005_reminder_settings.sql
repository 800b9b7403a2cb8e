-- Each board's reminders, as its clerk sets them. A board without a row has the defaults:
-- reminders on, 7 days before the due day, the weekly digest on.
CREATE TABLE board_reminder_settings (
	board_id INTEGER PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
	reminders INTEGER NOT NULL DEFAULT 1,
	days_before INTEGER NOT NULL DEFAULT 7 CHECK (days_before BETWEEN 0 AND 60),
	digest INTEGER NOT NULL DEFAULT 1,
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);

-- The action log's page shows the settings to the clerk: it is cached per board version.
CREATE TRIGGER board_reminder_settings_version_insert AFTER INSERT ON board_reminder_settings BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (NEW.board_id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER board_reminder_settings_version_update AFTER UPDATE ON board_reminder_settings BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (NEW.board_id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;

-- The ISO weeks (2026-W12) whose digests have been queued, so that the job, which runs
-- every few minutes, looks for digests to send once a week and not at every run. Each
-- digest also has its own outbox key per person and week.
CREATE TABLE action_digest_weeks (
	week TEXT PRIMARY KEY,
	queued INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
