-- The live classroom's moderation state (classroom/live.RoomState): lock,
-- chat settings, stage limit, bans, mutes, the hands queue and the stage,
-- one JSON document per live lesson id, replaced whole on every change
-- and read back when the lesson's live state is created after a restart.
-- Like the other live_ tables it carries no foreign key to lessons.
CREATE TABLE live_rooms (
	lesson_id TEXT PRIMARY KEY,
	state TEXT NOT NULL,
	updated_at BIGINT NOT NULL DEFAULT 0
);
