package app_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/internal/testlog"
)

// TestClusterNeedsPostgres: SQLite serves one node and says so at start;
// --node-url on SQLite is refused, and --spill-at without it; on
// PostgreSQL it registers the node.
func TestClusterNeedsPostgres(t *testing.T) {
	newApp := func(dbURL, nodeURL string, spill ...int) (*app.App, string, error) {
		var log testlog.Buffer
		a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), DatabaseURL: dbURL, Secret: secret,
			Loopback: true, ICEUDPAddr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(&log, nil)),
			Cluster: app.ClusterConfig{NodeURL: nodeURL, SpillAt: append(spill, 0)[0]}})
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
	if _, _, err := newApp("", "", 50); err == nil || !strings.Contains(err.Error(), "--spill-at needs --node-url") {
		t.Fatalf("--spill-at alone: %v", err)
	}
	dbURL := pgtest.URL(t)
	if _, log, err := newApp(dbURL, "http://127.0.0.1:9"); err != nil || !strings.Contains(log, "cluster node registered") {
		t.Fatalf("--node-url on PostgreSQL: %v; log:\n%s", err, log)
	}
	if _, _, err := newApp(pgtest.URL(t), "not a url"); err == nil {
		t.Fatal("a bad node URL was accepted")
	}
}
