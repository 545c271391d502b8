// Package signaling is Lectern's edge towards clients: the WebSocket
// protocol at /rtc (docs/protocol.md) and WHIP (RFC 9725) / WHEP ingest and
// playback. It authenticates a join token, turns messages into calls on the
// sfu (and, for classroom messages, on a Classroom), and pushes events back.
//
// It knows nothing of prices or SQL.
package signaling
