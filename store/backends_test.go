package store

import (
	"context"
	"os"
	"testing"

	"github.com/lectern/lectern/internal/pgtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashHelperEnv) != "" {
		crashHelper()
		return
	}
	os.Exit(pgtest.Run(m))
}

// testBackend opens a fresh, migrated store of one kind for a test.
type testBackend struct {
	name string
	open func(t testing.TB) *Store
}

var testBackends = []testBackend{
	{"sqlite", func(t testing.TB) *Store { return openTest(t, Config{DataDir: t.TempDir()}) }},
	{"postgres", func(t testing.TB) *Store { return openTest(t, Config{DatabaseURL: pgtest.URL(t)}) }},
}

func openTest(t testing.TB, cfg Config) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}
