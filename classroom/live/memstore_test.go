package live_test

import (
	"testing"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/classroom/live/livetest"
)

// TestMemoryStore runs the Store conformance suite, which package store
// also runs against SQLite and PostgreSQL.
func TestMemoryStore(t *testing.T) {
	livetest.Run(t, func(*testing.T) live.Store { return live.NewMemoryStore() })
}
