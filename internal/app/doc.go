// Package app wires Lectern's packages into one server: the SFU, signalling,
// the REST API, the store and the embedded web client. cmd/lectern and the
// end-to-end tests both build the server through it.
package app
