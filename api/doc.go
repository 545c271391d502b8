// Package api is Lectern's REST API under /api/v1: accounts (register, sign
// in and out, sessions, profile, avatar, password change and reset),
// courses (create, edit, cover, enrol, "my courses"), lessons (schedule,
// edit, go live and end, "my upcoming lessons") and joining a lesson, which
// issues a join token (package token) from the caller's relation to the
// course. docs/api.md documents every endpoint.
//
// Browsers authenticate with a server-side session whose token lives in an
// HTTP-only, SameSite=Lax cookie (Secure under HTTPS). Every request that
// changes state and is authenticated by that cookie must carry the
// session's CSRF token in X-CSRF-Token; cross-origin browser requests that
// change state are refused outright (net/http.CrossOriginProtection).
// Sign-in is rate-limited per client address and per account. Errors are
// JSON: {"code": "...", "message": "..."}.
//
// api drives classroom's rules and persists through classroom.Store; it
// imports no database package, and nothing of signaling or sfu.
package api
