// Package storetest opens fresh, migrated stores for the tests of packages
// that sit on the store (api, billing): one of each backend, SQLite in a
// temporary directory and PostgreSQL through internal/pgtest (whose Run
// must wrap the test binary's TestMain).
//
// It is for tests only; production code must not import it.
package storetest

import (
	"context"
	"testing"

	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/store"
)

// Backend opens a fresh, migrated store of one kind.
type Backend struct {
	Name string
	Open func(t testing.TB) *store.Store
}

// Backends lists every backend, SQLite first.
func Backends() []Backend {
	return []Backend{{"sqlite", SQLite}, {"postgres", Postgres}}
}

// SQLite opens a fresh, migrated SQLite store in t.TempDir().
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, store.Config{DataDir: t.TempDir()})
}

// Postgres opens a fresh, migrated store on a new PostgreSQL database.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, store.Config{DatabaseURL: pgtest.URL(t)})
}

// Open opens and migrates a store with cfg, closing it when t ends.
func Open(t testing.TB, cfg store.Config) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// ForEach runs fn as a subtest on a fresh store of each backend.
func ForEach(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.Open(t)) })
	}
}
