-- Each event carries the SHA-256 of the one before it and its own (over that and its
-- fields), so that `quorum audit verify` finds an event changed or deleted by someone with
-- the file in hand, who could drop the triggers. Events written before this migration
-- keep empty hashes; the chain starts after them.
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
