-- Lessons cancelled by their teacher, and the mail sent about lessons.
-- Times are Unix milliseconds; 0 is "never".

-- A cancelled lesson is ended (it will not take place) with the moment
-- and the reason of its cancellation.
ALTER TABLE lessons ADD COLUMN cancelled_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE lessons ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';

-- One row per mailing about a lesson (a cancellation, a move, a reminder
-- for one start time). Inserting the row claims the mailing: its mails
-- and notices are queued in the same transaction, so each is queued once
-- even with several servers, and a lesson moved to a new time is
-- reminded again for that time.
CREATE TABLE lesson_mailings (
	lesson_id TEXT NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	key_at BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (lesson_id, kind, key_at)
);
