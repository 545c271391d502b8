package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lectern/lectern/internal/app"
)

// startInProcess runs the whole server (internal/app) on 127.0.0.1:0 with
// ICE on loopback only, and stops it when the test ends. Its log is
// printed if the test fails.
func startInProcess(t *testing.T) *server {
	t.Helper()
	logs := &lockedBuffer{}
	secret := bytes.Repeat([]byte("e2e-secret-"), 4)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, app.Config{
		DataDir:  t.TempDir(),
		Secret:   secret,
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Loopback: true,
		// The dev test provider (a checkout page served by Lectern), named
		// explicitly: the browser tests buy through it.
		PaymentProvider: "dev",
	})
	if err != nil {
		cancel()
		t.Fatalf("app.New: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := a.Close(); err != nil {
			t.Errorf("app.Close: %v", err)
		}
		cancel()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.tail(8000))
		}
		if dir := os.Getenv("LECTERN_E2E_LOGS"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".log"), []byte(logs.String()), 0o644)
		}
	})
	return &server{URL: srv.URL, signer: a.Signer(), app: a}
}

type lockedBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) tail(n int) string {
	s := l.String()
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
