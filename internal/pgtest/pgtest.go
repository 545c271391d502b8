package pgtest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/testenv"
)

// shared is the test binary's one cluster, started on first use.
var shared struct {
	once    sync.Once
	cluster *Cluster
	err     error
	n       atomic.Int64 // databases created, for unique names
}

// Run runs the tests and then stops the shared cluster, if one started.
// Call it from TestMain.
func Run(m *testing.M) int {
	code := m.Run()
	if shared.cluster != nil {
		if err := shared.cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// Shared returns the binary's cluster, starting it if needed.
func Shared() (*Cluster, error) {
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		shared.cluster, shared.err = Start(ctx)
	})
	return shared.cluster, shared.err
}

// URL returns the URL of a fresh, empty database on the shared cluster,
// dropped when t ends. Without PostgreSQL it skips t (fails it under
// LECTERN_REQUIRE_ALL=1).
func URL(t testing.TB) string {
	t.Helper()
	c, err := Shared()
	testenv.Require(t, "PostgreSQL", err)
	return c.Database(t)
}

// Own starts a cluster of t's own, stopped and removed when t ends: for
// a test that halts or restarts PostgreSQL, which must not disturb the
// other tests' shared cluster. Without PostgreSQL it skips t (fails it
// under LECTERN_REQUIRE_ALL=1).
func Own(t testing.TB) *Cluster {
	t.Helper()
	_, err := findBin()
	testenv.Require(t, "PostgreSQL", err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx)
	if err != nil {
		t.Fatalf("pgtest: own cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("pgtest: stopping the own cluster: %v", err)
		}
	})
	return c
}

// Database creates a fresh, empty database on c for t and returns its
// URL; it is dropped when t ends (if c still runs).
func (c *Cluster) Database(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d_%s", os.Getpid(), shared.n.Add(1), sanitize(t.Name()))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.CreateDatabase(ctx, name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.DropDatabase(ctx, name); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return c.URL(name)
}

// sanitize keeps a database name to lower-case letters, digits and _,
// within PostgreSQL's 63-byte limit.
func sanitize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '_'
	}, s)
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}
