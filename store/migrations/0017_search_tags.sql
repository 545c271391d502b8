-- Catalogue search and course tags.
--
-- course_tags holds up to classroom.MaxTags tags per course: tag as the
-- teacher wrote it (normalised by classroom), key its case-folded form,
-- which the catalogue's ?tag= filter matches.
--
-- course_search holds one search document per course, written by the store
-- in the transaction that changes the course, its tags or its teacher's
-- name: title and body (title, summary, description, teacher's name, tags)
-- case-folded in Go, so both engines compare the same bytes. A query term
-- matches as a substring, which is what finds Chinese words in text that
-- has no spaces. Each engine indexes body with trigrams: SQLite an FTS5
-- table with the trigram tokenizer over course_search (external content,
-- kept in step by triggers), PostgreSQL a GIN index with pg_trgm.

CREATE TABLE course_tags (
	course_id TEXT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	key TEXT NOT NULL,
	tag TEXT NOT NULL,
	position BIGINT NOT NULL,
	PRIMARY KEY (course_id, key)
);

CREATE INDEX course_tags_key ON course_tags (key, course_id);

-- only sqlite
CREATE TABLE course_search (
	n INTEGER PRIMARY KEY,
	course_id TEXT NOT NULL UNIQUE REFERENCES courses (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	body TEXT NOT NULL
);
CREATE VIRTUAL TABLE course_fts USING fts5(body, content='course_search', content_rowid='n', tokenize='trigram');
CREATE TRIGGER course_search_ai AFTER INSERT ON course_search BEGIN INSERT INTO course_fts (rowid, body) VALUES (new.n, new.body); END;
CREATE TRIGGER course_search_ad AFTER DELETE ON course_search BEGIN INSERT INTO course_fts (course_fts, rowid, body) VALUES ('delete', old.n, old.body); END;
CREATE TRIGGER course_search_au AFTER UPDATE ON course_search BEGIN INSERT INTO course_fts (course_fts, rowid, body) VALUES ('delete', old.n, old.body); INSERT INTO course_fts (rowid, body) VALUES (new.n, new.body); END;
-- only postgres
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE course_search (
	course_id TEXT PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	body TEXT NOT NULL
);
CREATE INDEX course_search_body ON course_search USING gin (body gin_trgm_ops);
-- only end

-- Courses that exist before this migration: their documents are written
-- with the engine's lower() here (ASCII case folding at least); the store
-- rewrites a document whenever its course changes.
INSERT INTO course_search (course_id, title, body)
	SELECT c.id, lower(c.title), lower(c.title || ' ' || c.summary || ' ' || c.description || ' ' || a.display_name)
	FROM courses c JOIN accounts a ON a.id = c.teacher_id;
