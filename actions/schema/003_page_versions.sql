-- The log's filter form lists the board's members and every organisation, so the board's
-- version also moves with its memberships, and the shared version (board 0) with the
-- organisations added or removed.
CREATE TRIGGER memberships_version_insert AFTER INSERT ON memberships BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (NEW.board_id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER memberships_version_update AFTER UPDATE ON memberships BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (NEW.board_id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
	INSERT INTO board_versions (board_id, version) SELECT OLD.board_id, 1 WHERE OLD.board_id <> NEW.board_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER memberships_version_delete AFTER DELETE ON memberships BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (OLD.board_id, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER organisations_version_insert AFTER INSERT ON organisations BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (0, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER organisations_version_delete AFTER DELETE ON organisations BEGIN
	INSERT INTO board_versions (board_id, version) VALUES (0, 1)
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
