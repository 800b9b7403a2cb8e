-- Mail waiting to be sent, and mail sent. Every message has a key naming why it was sent
-- (circulate:action:12:person:7), unique, so that a retried request or a second run of a
-- job never queues the same message twice.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL UNIQUE,
	to_address TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
	-- set when a Sender has handed the message on; empty while it waits
	sent_at TEXT NOT NULL DEFAULT '',
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_waiting ON outbox(id) WHERE sent_at = '';
