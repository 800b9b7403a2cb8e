-- The ACTION lines as last synced with the action log, as a digest: a save whose ACTION
-- lines are the same as the last one's has nothing to tell the log and skips it.
ALTER TABLE minutes ADD COLUMN actions_digest TEXT NOT NULL DEFAULT '';
