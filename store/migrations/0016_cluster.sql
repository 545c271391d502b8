-- Several `lectern serve` nodes on one PostgreSQL (package cluster,
-- docs/architecture.md "Many nodes"): the node registry and one lease per
-- placed lesson. Times come from the database's clock (now()), so clock
-- skew between nodes does not matter. SQLite stays one node: on SQLite
-- this migration is empty.
-- only postgres
CREATE TABLE cluster_nodes (
	id TEXT PRIMARY KEY,
	url TEXT NOT NULL,
	capacity INTEGER NOT NULL DEFAULT 0,
	load INTEGER NOT NULL DEFAULT 0,
	started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
	heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- A lease row is never deleted: its epoch only grows, so a write fenced
-- with an old epoch is refused even after the lesson moved twice.
CREATE TABLE lesson_leases (
	lesson_id TEXT PRIMARY KEY,
	node_id TEXT NOT NULL,
	epoch BIGINT NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	taken_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX lesson_leases_node ON lesson_leases (node_id);
-- only end
