// Package cluster lets several `lectern serve` nodes share one PostgreSQL
// database (docs/architecture.md, "Many nodes").
//
// Each node registers itself in cluster_nodes (id, public base URL,
// capacity, load = live participants) and beats every LeaseTTL/3. A
// lesson is served by exactly one node: the holder of its lease in
// lesson_leases (owner node, an epoch that only grows, an expiry on the
// database's clock). The lease is taken by placement, the first time a
// door needs the lesson's owner (the join-token answer, a WebSocket join,
// WHIP or WHEP), on the least-loaded live node; it is renewed by its
// owner's heartbeat and taken over by another node once it has expired.
//
// A node stops serving a lesson (Server.Moved) as soon as it knows it
// may have lost the lease: a renewal that does not return it, no
// successful renewal for 3/4 of LeaseTTL by its own monotonic clock, or a
// fenced write refused. Every write of a lesson's live state goes through
// Fence, which checks the lease's owner and epoch under a row lock in the
// same moment, so a node that lost its lease cannot overwrite what the new
// owner restored.
//
// A lesson that has reached Config.SpillAt participants on its owner
// spills: the owner chooses one edge node (lesson_spills, spill.go) and
// every node's join answer sends new students there (the cascade,
// package cluster/cascade).
//
// Signals between nodes (an access change, a lesson ended by REST on a
// node that does not own it) travel over PostgreSQL LISTEN/NOTIFY on the
// channel lectern_cluster.
//
// cluster uses pgx directly and needs PostgreSQL; SQLite stays one node.
// It knows nothing of HTTP or WebRTC: it drives a Server (signaling) and
// wraps a live.Store. It must not import api, signaling or sfu; the
// cascade of one lesson's media over several nodes, which needs the SFU,
// is its subpackage cascade.
package cluster
