package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/internal/testenv"
)

type readiness struct {
	Status string `json:"status"`
	Checks []struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	} `json:"checks"`
}

func getReady(t *testing.T, url string) (int, readiness) {
	t.Helper()
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r readiness
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, r
}

func failed(r readiness) []string {
	var out []string
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c.Name)
		}
	}
	return out
}

// TestReadyzFailsWhenDatabaseStops: /readyz is 200 with PostgreSQL up and
// 503 naming the database once its server is stopped, while /healthz
// (the process answers) stays 200.
func TestReadyzFailsWhenDatabaseStops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := pgtest.Start(ctx)
	testenv.Require(t, "PostgreSQL (initdb, pg_ctl)", err)
	stopped := false
	defer func() {
		if !stopped {
			_ = cl.Stop()
		}
	}()
	if err := cl.CreateDatabase(ctx, "ready"); err != nil {
		t.Fatal(err)
	}
	a, srv := start(t, t.TempDir(), cl.URL("ready"))
	defer func() { srv.Close(); _ = a.Close() }()
	if code, r := getReady(t, srv.URL); code != http.StatusOK || r.Status != "ready" || len(r.Checks) != 3 {
		t.Fatalf("with the database up: %d %+v", code, r)
	}
	if err := cl.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	code, r := getReady(t, srv.URL)
	if code != http.StatusServiceUnavailable || r.Status != "not_ready" || strings.Join(failed(r), ",") != "database" {
		t.Fatalf("with the database stopped: %d %+v", code, r)
	}
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz with the database stopped: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestReadyzFailsWithoutDataDir: a data directory that cannot be written
// to (here: removed under the running server; tests run as root, which
// ignores permission bits) makes the server not ready.
func TestReadyzFailsWithoutDataDir(t *testing.T) {
	dir := t.TempDir()
	a, srv := start(t, dir, "")
	defer func() { srv.Close(); _ = a.Close() }()
	if code, _ := getReady(t, srv.URL); code != http.StatusOK {
		t.Fatalf("fresh server not ready: %d", code)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	code, r := getReady(t, srv.URL)
	if code != http.StatusServiceUnavailable || !strings.Contains(strings.Join(failed(r), ","), "data_dir_writable") {
		t.Fatalf("with the data directory gone: %d %+v", code, r)
	}
}
