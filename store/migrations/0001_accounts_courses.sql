-- Accounts, sessions, password resets, courses, lessons and enrolments.
-- Portable subset: TEXT, BIGINT (Unix milliseconds for times), BYTEA.
-- End every statement with a semicolon at the end of a line.

CREATE TABLE accounts (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	roles TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT '',
	avatar_type TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE INDEX accounts_created ON accounts (created_at);

CREATE TABLE avatars (
	account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	content_type TEXT NOT NULL,
	data BYTEA NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	verifier BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	user_agent TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT ''
);

CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE password_resets (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	verifier BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX password_resets_account ON password_resets (account_id);

CREATE TABLE courses (
	id TEXT PRIMARY KEY,
	teacher_id TEXT NOT NULL REFERENCES accounts (id),
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	cover_type TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE INDEX courses_teacher ON courses (teacher_id);
CREATE INDEX courses_created ON courses (created_at);

CREATE TABLE course_covers (
	course_id TEXT PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE,
	content_type TEXT NOT NULL,
	data BYTEA NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE TABLE course_assistants (
	course_id TEXT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	PRIMARY KEY (course_id, account_id)
);

CREATE INDEX course_assistants_account ON course_assistants (account_id);

CREATE TABLE enrolments (
	course_id TEXT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (course_id, account_id)
);

CREATE INDEX enrolments_account ON enrolments (account_id);

CREATE TABLE lessons (
	id TEXT PRIMARY KEY,
	course_id TEXT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	starts_at BIGINT NOT NULL,
	duration_seconds BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('scheduled', 'live', 'ended')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE INDEX lessons_course_start ON lessons (course_id, starts_at);
CREATE INDEX lessons_start ON lessons (starts_at);
