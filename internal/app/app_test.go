package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/token"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashServerEnv); dir != "" {
		crashServer(dir) // the child of TestKilledServerKeepsAcknowledged
		return
	}
	os.Exit(pgtest.Run(m))
}

var secret = []byte(strings.Repeat("a", 32))

func start(t *testing.T, dir, dbURL string) (*app.App, *httptest.Server) {
	t.Helper()
	return startConfig(t, app.Config{DataDir: dir, DatabaseURL: dbURL, Secret: secret, Loopback: true, ICEUDPAddr: "127.0.0.1:0"})
}

// startWith is start with test payments and newSite's base URL, for the
// browsers of harness_http_test.go.
func startWith(t *testing.T, dir, dbURL string) (*app.App, *httptest.Server) {
	t.Helper()
	return startConfig(t, app.Config{DataDir: dir, DatabaseURL: dbURL, Secret: secret, Loopback: true, ICEUDPAddr: "127.0.0.1:0",
		BaseURL: "http://lectern.test", PaymentProvider: "dev"})
}

func startConfig(t *testing.T, cfg app.Config) (*app.App, *httptest.Server) {
	t.Helper()
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a, httptest.NewServer(a.Handler())
}

func joinWS(t *testing.T, a *app.App, srv *httptest.Server, user string, role token.Role) *peer.Client {
	t.Helper()
	return joinLesson(t, a, srv, "persist", user, role, nil)
}

func request(t *testing.T, c *peer.Client, typ string, payload any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Request(ctx, typ, payload); err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
}

// TestClassroomSurvivesRestart: chat, questions and polls written through
// the WebSocket are there after the whole server restarts, on both stores.
func TestClassroomSurvivesRestart(t *testing.T) {
	forBackends(t, func(t *testing.T, dir, dbURL string) {
		a, srv := start(t, dir, dbURL)
		teacher := joinWS(t, a, srv, "teacher", token.RoleTeacher)
		student := joinWS(t, a, srv, "student", token.RoleStudent)
		request(t, teacher, "chat.send", map[string]any{"text": "欢迎 — welcome"})
		request(t, student, "question.ask", map[string]any{"text": "What is a keyframe?"})
		request(t, teacher, "poll.create", map[string]any{"question": "Ready?", "kind": "yesno"})
		teacher.Close()
		student.Close()
		srv.Close()
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}

		a, srv = start(t, dir, dbURL)
		defer func() { srv.Close(); a.Close() }()
		again := joinWS(t, a, srv, "student2", token.RoleStudent)
		defer again.Close()
		snap, _ := json.Marshal(again.Joined.Classroom)
		for _, want := range []string{"欢迎 — welcome", "What is a keyframe?", "Ready?"} {
			if !strings.Contains(string(snap), want) {
				t.Errorf("after restart the snapshot lacks %q: %s", want, snap)
			}
		}
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("healthz: %v", err)
		}
	})
}

// forBackends runs fn with a fresh data directory on SQLite and with a
// fresh PostgreSQL database (dbURL) next to one.
func forBackends(t *testing.T, fn func(t *testing.T, dir, dbURL string)) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dbURL := ""
			if backend == "postgres" {
				dbURL = pgtest.URL(t)
			}
			fn(t, t.TempDir(), dbURL)
		})
	}
}

func TestSecondServerOnSameDataDirRefuses(t *testing.T) {
	dir := t.TempDir()
	a, srv := start(t, dir, "")
	defer func() { srv.Close(); a.Close() }()
	_, err := app.New(context.Background(), app.Config{DataDir: dir, Secret: secret, Loopback: true, ICEUDPAddr: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second server: %v", err)
	}
}
