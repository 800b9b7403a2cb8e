-- What the SMTP sender is doing with each message of the outbox. A message is marked
-- sending before it is handed to the mail server and sent (outbox.sent_at) after; one
-- left marked sending by a stop in between is not sent again (it may have gone), but
-- shown as unknown for the administrator to check.
CREATE TABLE mail_attempts (
	outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id),
	state TEXT NOT NULL CHECK (state IN ('sending','retry','failed','unknown')),
	next_at TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL
);
CREATE INDEX mail_attempts_retry ON mail_attempts(next_at) WHERE state = 'retry';
