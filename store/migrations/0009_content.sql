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

-- A PDF's first-page thumbnail, rendered by the uploading teacher's browser
-- (the server has no PDF renderer).
CREATE TABLE material_thumbnails (
	material_id TEXT PRIMARY KEY REFERENCES materials (id) ON DELETE CASCADE,
	content_type TEXT NOT NULL,
	data BYTEA NOT NULL,
	updated_at BIGINT NOT NULL
);

-- Exercises (练习题): questions as JSON (the domain validates them);
-- submissions numbered per student, the attempt number unique so
-- concurrent submissions cannot pass the attempt limit.

CREATE TABLE exercises (
	id TEXT PRIMARY KEY,
	course_id TEXT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	lesson_id TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL,
	instructions TEXT NOT NULL DEFAULT '',
	due_at BIGINT NOT NULL DEFAULT 0,
	max_attempts BIGINT NOT NULL DEFAULT 0 CHECK (max_attempts >= 0),
	questions TEXT NOT NULL,
	created_by TEXT NOT NULL REFERENCES accounts (id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE INDEX exercises_course ON exercises (course_id, created_at);

CREATE TABLE exercise_submissions (
	id TEXT PRIMARY KEY,
	exercise_id TEXT NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	attempt BIGINT NOT NULL CHECK (attempt >= 1),
	answers TEXT NOT NULL,
	results TEXT NOT NULL,
	score BIGINT NOT NULL,
	max_score BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('graded', 'pending')),
	submitted_at BIGINT NOT NULL,
	graded_at BIGINT NOT NULL DEFAULT 0,
	graded_by TEXT NOT NULL DEFAULT ''
);

CREATE UNIQUE INDEX exercise_submissions_attempt ON exercise_submissions (exercise_id, account_id, attempt);
