-- Review of new materials, trusted teachers and bouncing addresses.
--
-- A material added to a published course by an account that is neither
-- trusted nor an administrator waits for a reviewer (review 'pending'),
-- hidden from students; a reviewer approves it or rejects it with a reason
-- the teacher sees. Materials made before this migration stay approved.
ALTER TABLE materials ADD COLUMN review TEXT NOT NULL DEFAULT 'approved';
ALTER TABLE materials ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
ALTER TABLE materials ADD COLUMN reviewed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE materials ADD COLUMN reviewed_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX materials_review ON materials (review, created_at);

-- trusted_at: when an administrator marked the account trusted (its new
-- materials need no review); 0 when not trusted.
ALTER TABLE accounts ADD COLUMN trusted_at BIGINT NOT NULL DEFAULT 0;

-- Bounces: an address the receiving server refused for good (SMTP 5xx to
-- RCPT or DATA). Mail to it is kept unsent (held_at > 0, the reason in
-- last_error) until the mark is cleared, when its owner asks for a new
-- verification link or opens one.
CREATE TABLE mail_bounces (
	addr TEXT PRIMARY KEY,
	bounced_at BIGINT NOT NULL,
	reason TEXT NOT NULL
);
ALTER TABLE mail_outbox ADD COLUMN held_at BIGINT NOT NULL DEFAULT 0;

-- Catalogue search: character grams (store/search_grams.go) find Chinese
-- words of one or two characters without reading every document, and on
-- PostgreSQL any Chinese word (pg_trgm makes no trigrams of it in the C
-- locale). PostgreSQL keeps them as a stored tsvector too, so that checking
-- a candidate row does not parse its grams again. Documents written before this migration have no grams (NULL);
-- the store writes them right after migrating.
ALTER TABLE course_search ADD COLUMN grams TEXT;
-- only sqlite
CREATE VIRTUAL TABLE course_grams USING fts5(grams, content='course_search', content_rowid='n', tokenize='unicode61');
INSERT INTO course_grams (course_grams) VALUES ('rebuild');
CREATE TRIGGER course_grams_ai AFTER INSERT ON course_search BEGIN INSERT INTO course_grams (rowid, grams) VALUES (new.n, new.grams); END;
CREATE TRIGGER course_grams_ad AFTER DELETE ON course_search BEGIN INSERT INTO course_grams (course_grams, rowid, grams) VALUES ('delete', old.n, old.grams); END;
CREATE TRIGGER course_grams_au AFTER UPDATE ON course_search BEGIN INSERT INTO course_grams (course_grams, rowid, grams) VALUES ('delete', old.n, old.grams); INSERT INTO course_grams (rowid, grams) VALUES (new.n, new.grams); END;
-- only postgres
ALTER TABLE course_search ADD COLUMN grams_tsv tsvector
	GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(grams, ''))) STORED;
CREATE INDEX course_search_grams ON course_search USING gin (grams_tsv);
-- only end

-- A teacher's public profile: a short biography shown on the landing
-- pages of their courses.
ALTER TABLE accounts ADD COLUMN bio TEXT NOT NULL DEFAULT '';
