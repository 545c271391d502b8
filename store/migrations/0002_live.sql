-- The live classroom (classroom/live.Store): chat, questions, polls and
-- votes, attendance. Rows are keyed by the live lesson id, which is the
-- lessons.id of a scheduled lesson, but carry no foreign key: the live
-- layer may hold state for ids the lessons table does not know.
-- Booleans are BIGINT 0/1; lists (voters, options, choices) are JSON text.
-- seq columns keep insertion order ("in the order asked / created / first
-- cast"), which a timestamp cannot.

-- Chat ids increase per lesson; the primary key (lesson_id, id) is the
-- index that pages history newest first ("WHERE lesson_id = ? AND id < ?
-- ORDER BY id DESC").
CREATE TABLE live_chat (
	lesson_id TEXT NOT NULL,
	id BIGINT NOT NULL,
	sender_id TEXT NOT NULL DEFAULT '',
	sender_user TEXT NOT NULL DEFAULT '',
	sender_name TEXT NOT NULL DEFAULT '',
	sender_role TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	is_private BIGINT NOT NULL DEFAULT 0,
	peer_id TEXT NOT NULL DEFAULT '',
	peer_user TEXT NOT NULL DEFAULT '',
	sent_at BIGINT NOT NULL,
	deleted_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (lesson_id, id)
);

CREATE TABLE live_questions (
	lesson_id TEXT NOT NULL,
	id TEXT NOT NULL,
	seq BIGINT NOT NULL,
	author_id TEXT NOT NULL DEFAULT '',
	author_user TEXT NOT NULL DEFAULT '',
	author_name TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	anonymous BIGINT NOT NULL DEFAULT 0,
	asked_at BIGINT NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT '',
	voters TEXT NOT NULL DEFAULT 'null',
	PRIMARY KEY (lesson_id, id)
);

CREATE UNIQUE INDEX live_questions_seq ON live_questions (lesson_id, seq);

CREATE TABLE live_polls (
	lesson_id TEXT NOT NULL,
	id TEXT NOT NULL,
	seq BIGINT NOT NULL,
	question TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL DEFAULT '',
	options TEXT NOT NULL DEFAULT 'null',
	anonymous BIGINT NOT NULL DEFAULT 0,
	correct TEXT NOT NULL DEFAULT 'null',
	created_by TEXT NOT NULL DEFAULT '',
	opened_at BIGINT NOT NULL DEFAULT 0,
	closes_at BIGINT NOT NULL DEFAULT 0,
	closed_at BIGINT NOT NULL DEFAULT 0,
	is_closed BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (lesson_id, id)
);

CREATE UNIQUE INDEX live_polls_seq ON live_polls (lesson_id, seq);

CREATE TABLE live_votes (
	lesson_id TEXT NOT NULL,
	poll_id TEXT NOT NULL,
	user_id TEXT NOT NULL,
	seq BIGINT NOT NULL,
	participant_id TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	choices TEXT NOT NULL DEFAULT 'null',
	body TEXT NOT NULL DEFAULT '',
	voted_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (lesson_id, poll_id, user_id)
);

CREATE UNIQUE INDEX live_votes_seq ON live_votes (lesson_id, poll_id, seq);

CREATE TABLE live_attendance (
	lesson_id TEXT NOT NULL,
	participant_id TEXT NOT NULL,
	joined_at BIGINT NOT NULL,
	seq BIGINT NOT NULL,
	user_id TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL DEFAULT '',
	left_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (lesson_id, participant_id, joined_at)
);

CREATE INDEX live_attendance_joined ON live_attendance (lesson_id, joined_at, seq);
