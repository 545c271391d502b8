// Package webclient is Lectern's browser application: plain ES modules,
// HTML and CSS embedded in the binary with go:embed and served by Handler.
// There is no build step, no framework and no CDN; `go run` serves the
// client as it is in static/.
//
// The client speaks the WebSocket protocol of docs/protocol.md and the REST
// API of docs/api.md. This package knows nothing of the server's internals
// and imports nothing from Lectern.
package webclient
