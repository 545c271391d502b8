-- Publishing with review, teacher applications and the append-only audit
-- log (accounts.disabled_at comes from 0005_access). Courses that exist
-- before this migration were public, so they become published: nothing
-- disappears from the catalogue.

ALTER TABLE courses ADD COLUMN state TEXT NOT NULL DEFAULT 'draft'
	CHECK (state IN ('draft', 'in_review', 'published', 'unpublished', 'archived'));
ALTER TABLE courses ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
ALTER TABLE courses ADD COLUMN submitted_revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN submitted_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
ALTER TABLE courses ADD COLUMN reviewed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE courses ADD COLUMN reviewed_at BIGINT NOT NULL DEFAULT 0;

UPDATE courses SET state = 'published';

CREATE INDEX courses_state_created ON courses (state, created_at);

CREATE TABLE teacher_applications (
	account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	message TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
	reason TEXT NOT NULL DEFAULT '',
	decided_by TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	decided_at BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX teacher_applications_status ON teacher_applications (status, created_at);

CREATE TABLE audit_log (
	id TEXT PRIMARY KEY,
	at BIGINT NOT NULL,
	actor_id TEXT NOT NULL,
	actor_email TEXT NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	target_type TEXT NOT NULL,
	target_id TEXT NOT NULL,
	before_json TEXT NOT NULL DEFAULT '',
	after_json TEXT NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_target ON audit_log (target_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

-- Outgoing mail: written in the same request that causes it, sent by a
-- worker that claims one message at a time with a lease, retried with
-- backoff while SMTP is down, marked sent once accepted.
CREATE TABLE mail_outbox (
	id TEXT PRIMARY KEY,
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	next_attempt_at BIGINT NOT NULL,
	attempts BIGINT NOT NULL DEFAULT 0,
	sent_at BIGINT NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT ''
);

CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);

-- In-app notices (a course approved or rejected, an application decided):
-- a kind and its values, translated by the client.
CREATE TABLE notices (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	vars TEXT NOT NULL DEFAULT '{}',
	created_at BIGINT NOT NULL,
	read_at BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX notices_account ON notices (account_id, created_at);
