// Package classroom is Lectern's domain: accounts and their roles, sessions,
// password resets, courses, their lessons and the students enrolled in them,
// and the rules that govern them (what a valid email, password, title or
// schedule is; which lesson status may follow which; what relation a user
// has to a course and so what role they take in a lesson).
//
// It is plain Go with no I/O of its own: no SQL, no HTTP, no files. The
// persistence it needs is declared here as small interfaces (Accounts,
// Sessions, PasswordResets, Courses, Lessons, combined as Store) and
// implemented by package store; the REST API in package api drives them.
//
// The live state of a lesson (stage, hands, chat, polls) lives in the
// subpackage classroom/live.
//
// classroom must not import store, api, signaling, sfu or billing.
package classroom
