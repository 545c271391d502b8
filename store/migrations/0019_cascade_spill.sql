-- The cascade (package cluster, docs/architecture.md "Many nodes"): once
-- a lesson's owner has reached --spill-at participants, new students are
-- sent to one edge node, which relays the lesson's media from the owner.
-- The choice is recorded here so that every node's join answer names the
-- same edge. It holds while the edge beats and the lease keeps the epoch
-- it was made under (a new owner chooses again). SQLite stays one node:
-- on SQLite this migration is empty.
-- only postgres
CREATE TABLE lesson_spills (
	lesson_id TEXT PRIMARY KEY,
	node_id TEXT NOT NULL,
	owner_epoch BIGINT NOT NULL,
	-- an edge that could not reach the owner gives up (node_id = '') and
	-- is not chosen again for the lesson
	given_up TEXT NOT NULL DEFAULT '',
	chosen_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- only end
