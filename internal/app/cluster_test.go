package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/pgtest"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestClusterNeedsPostgres: SQLite serves one node and says so at start;
// --node-url on SQLite is refused; on PostgreSQL it registers the node.
func TestClusterNeedsPostgres(t *testing.T) {
	newApp := func(dbURL, nodeURL string) (*app.App, string, error) {
		var log syncBuffer
		a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), DatabaseURL: dbURL, Secret: secret,
			Loopback: true, ICEUDPAddr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(&log, nil)),
			Cluster: app.ClusterConfig{NodeURL: nodeURL}})
		if a != nil {
			t.Cleanup(func() { a.Close() })
		}
		return a, log.String(), err
	}
	if _, log, err := newApp("", ""); err != nil || !strings.Contains(log, "SQLite serves a single node") {
		t.Fatalf("SQLite alone: %v; log:\n%s", err, log)
	}
	if _, _, err := newApp("", "http://127.0.0.1:9"); err == nil || !strings.Contains(err.Error(), "needs PostgreSQL") {
		t.Fatalf("--node-url on SQLite: %v", err)
	}
	dbURL := pgtest.URL(t)
	if _, log, err := newApp(dbURL, "http://127.0.0.1:9"); err != nil || !strings.Contains(log, "cluster node registered") {
		t.Fatalf("--node-url on PostgreSQL: %v; log:\n%s", err, log)
	}
	if _, _, err := newApp(pgtest.URL(t), "not a url"); err == nil {
		t.Fatal("a bad node URL was accepted")
	}
}
