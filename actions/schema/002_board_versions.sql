-- A version per board, bumped by triggers on every table the action log and the chair's
-- dashboard read, so that a cached log or dashboard is used only while its board's data is
-- unchanged. Triggers rather than the store's write methods: the minutes' save, imports
-- and other packages write these tables too. Board 0 is everything shared by all boards
-- (people's and organisations' names).
CREATE TABLE board_versions (
	board_id INTEGER PRIMARY KEY,
	version INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER actions_version_insert AFTER INSERT ON actions BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (NEW.board_id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER actions_version_update AFTER UPDATE ON actions BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (NEW.board_id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
	INSERT INTO board_versions (board_id, version) SELECT OLD.board_id, 1 WHERE OLD.board_id <> NEW.board_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER actions_version_delete AFTER DELETE ON actions BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (OLD.board_id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER action_updates_version_insert AFTER INSERT ON action_updates BEGIN
	INSERT INTO board_versions (board_id, version) SELECT board_id, 1 FROM actions WHERE id = NEW.action_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER action_updates_version_update AFTER UPDATE ON action_updates BEGIN
	INSERT INTO board_versions (board_id, version) SELECT board_id, 1 FROM actions WHERE id = NEW.action_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER action_updates_version_delete AFTER DELETE ON action_updates BEGIN
	INSERT INTO board_versions (board_id, version) SELECT board_id, 1 FROM actions WHERE id = OLD.action_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER action_owners_version_insert AFTER INSERT ON action_owners BEGIN
	INSERT INTO board_versions (board_id, version) SELECT board_id, 1 FROM actions WHERE id = NEW.action_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER action_owners_version_update AFTER UPDATE ON action_owners BEGIN
	INSERT INTO board_versions (board_id, version) SELECT board_id, 1 FROM actions WHERE id = NEW.action_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER action_owners_version_delete AFTER DELETE ON action_owners BEGIN
	INSERT INTO board_versions (board_id, version) SELECT board_id, 1 FROM actions WHERE id = OLD.action_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER action_responses_version_insert AFTER INSERT ON action_responses BEGIN
	INSERT INTO board_versions (board_id, version) SELECT board_id, 1 FROM actions WHERE id = NEW.action_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER action_responses_version_update AFTER UPDATE ON action_responses BEGIN
	INSERT INTO board_versions (board_id, version) SELECT board_id, 1 FROM actions WHERE id = NEW.action_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER action_responses_version_delete AFTER DELETE ON action_responses BEGIN
	INSERT INTO board_versions (board_id, version) SELECT board_id, 1 FROM actions WHERE id = OLD.action_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;

-- The due meetings, the next meeting and the chart's series come from meetings.
CREATE TRIGGER meetings_version_insert AFTER INSERT ON meetings BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (NEW.board_id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER meetings_version_update AFTER UPDATE ON meetings BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (NEW.board_id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
	INSERT INTO board_versions (board_id, version) SELECT OLD.board_id, 1 WHERE OLD.board_id <> NEW.board_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER meetings_version_delete AFTER DELETE ON meetings BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (OLD.board_id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER boards_version_update AFTER UPDATE ON boards BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (NEW.id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;

-- Owners' and organisations' names, and who works for which organisation.
CREATE TRIGGER people_version_update AFTER UPDATE ON people BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (0, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER organisations_version_update AFTER UPDATE ON organisations BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (0, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
