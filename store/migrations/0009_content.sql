-- Course content: materials (metadata; the bytes live in the blob store,
-- <data-dir>/materials, addressed by SHA-256).
-- Booleans are BIGINT 0/1; times Unix milliseconds.

CREATE TABLE materials (
	id TEXT PRIMARY KEY,
	course_id TEXT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	lesson_id TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL,
	media_type TEXT NOT NULL,
	kind TEXT NOT NULL,
	size BIGINT NOT NULL CHECK (size > 0),
	sha256 TEXT NOT NULL,
	downloadable BIGINT NOT NULL DEFAULT 0,
	pages BIGINT NOT NULL DEFAULT 0,
	status TEXT NOT NULL CHECK (status IN ('ready', 'processing', 'failed')),
	detail TEXT NOT NULL DEFAULT '',
	progress BIGINT NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL REFERENCES accounts (id),
	created_at BIGINT NOT NULL
);

CREATE UNIQUE INDEX materials_course_sha ON materials (course_id, sha256);
CREATE INDEX materials_sha ON materials (sha256);
