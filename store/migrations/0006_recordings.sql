-- Recording settings per course (docs/recording.md): whether its lessons
-- are recorded and whether students may download the MP4. A course
-- without a row records and does not allow downloads.
CREATE TABLE course_recording_settings (
	course_id TEXT PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE,
	record BIGINT NOT NULL DEFAULT 1 CHECK (record IN (0, 1)),
	student_download BIGINT NOT NULL DEFAULT 0 CHECK (student_download IN (0, 1)),
	updated_at BIGINT NOT NULL
);
