-- The live classroom's slide timeline (classroom/live.SlideLog): every
-- change of the deck or page presented in a lesson, with its time, so that
-- a replay shows the slide that was up at each moment. material_id is ''
-- when the slides were closed. The deck on screen now is in live_rooms'
-- state (migration 0004). Like the other live_ tables it carries no
-- foreign key to lessons.
CREATE TABLE live_slide_events (
	lesson_id TEXT NOT NULL,
	seq BIGINT NOT NULL,
	at BIGINT NOT NULL,
	material_id TEXT NOT NULL DEFAULT '',
	page INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (lesson_id, seq)
);
