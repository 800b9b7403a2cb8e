-- Actions raised under an exempt agenda item are left out of what those outside the board
-- read (the log, its exports, the dashboard, the public pack): the cached pages must be
-- read again when an item is made exempt or public.
CREATE TRIGGER agenda_items_exempt_version AFTER UPDATE OF exempt ON agenda_items
WHEN OLD.exempt <> NEW.exempt BEGIN
	INSERT INTO board_versions (board_id, version) SELECT board_id, 1 FROM meetings WHERE id = NEW.meeting_id
		ON CONFLICT (board_id) DO UPDATE SET version = version + 1;
END;
