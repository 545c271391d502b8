// Package testlog holds what tests use to read a server's log: a buffer
// that the server's goroutines may write while the test reads it.
//
// It imports nothing from Lectern and is only for tests.
package testlog
