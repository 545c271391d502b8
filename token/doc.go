// Package token issues and verifies Lectern join tokens: a JSON claim set
// (lesson, user, display name, role, permissions, expiry) signed with
// HMAC-SHA256 under a server secret and encoded as
// base64url(claims) "." base64url(mac).
//
// It imports nothing from Lectern; signalling verifies tokens, the REST API
// and the CLI issue them.
package token
