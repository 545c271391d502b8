-- Lessons' recordings (docs/recording.md): their files live under
-- <data-dir>/recordings/<lesson>/<id>/, their description here. No
-- foreign key to lessons: a lesson opened with operator tokens only is
-- recorded too. Times are Unix milliseconds; ended_at is 0 while the
-- recording is being written.
CREATE TABLE recordings (
	lesson_id TEXT NOT NULL,
	id TEXT NOT NULL,
	state TEXT NOT NULL,
	started_at BIGINT NOT NULL,
	ended_at BIGINT NOT NULL DEFAULT 0,
	duration_ms BIGINT NOT NULL DEFAULT 0,
	size_bytes BIGINT NOT NULL DEFAULT 0,
	reason TEXT NOT NULL DEFAULT '',
	published BIGINT NOT NULL DEFAULT 1 CHECK (published IN (0, 1)),
	truncated BIGINT NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
	PRIMARY KEY (lesson_id, id)
);
CREATE INDEX recordings_state ON recordings (state, ended_at);
