// Package livetest is the conformance suite of live.Store: the behaviour
// every implementation (live.MemoryStore, and package store on SQLite and
// PostgreSQL) must share. Run it from a test:
//
//	func TestMyStore(t *testing.T) {
//		livetest.Run(t, func(t *testing.T) live.Store { return open(t) })
//	}
//
// open is called once per subtest and must return an empty store (or one
// holding no lesson the suite uses: the suite's lesson ids are unique per
// call). Times in the suite have millisecond precision, which is what
// package store keeps; they are compared with time.Time.Equal.
//
// It imports only the standard library, classroom/live and token.
package livetest
