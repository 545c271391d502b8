// Package live is the domain of one live lesson: who is in the room, raised
// hands, the stage, teacher controls, chat, Q&A, polls, slides and
// attendance.
//
// It is plain Go with no I/O of its own: no network, no goroutines, no
// timers. Time comes from an injected clock, and deadlines (the reconnection
// grace, stage-invite timeouts, poll timers) are checked when the caller
// calls [Lesson.Tick]. Persistence goes through the small [Store] interface
// declared here and implemented by package store (SQLite, PostgreSQL);
// [MemoryStore] is the default.
//
// The API is command in, events out. Every command is a method taking the
// acting participant's id and a command struct, or one call to
// [Lesson.Dispatch] with a message type and its JSON payload. A command
// returns a [Result]: the [Event]s to deliver, each with an [Audience] and,
// where moderators must see more than students, a second payload; and the
// [Effect]s the media layer must enforce at the SFU (grant or revoke
// publishing, stop forwarding audio or video, disconnect, end the lesson).
// A refused command returns an [*Error] with a stable Code and changes
// nothing.
//
// The package is the authority on who may do what: every rule of the
// classroom (roles, bans, the lock, stage limit, chat limits, one vote per
// student) is enforced here, not in the client.
//
// It must not import sfu, signaling, store or net/http; it may import
// package token for roles and permissions.
package live
