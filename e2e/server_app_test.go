package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/testlog"
)

// startInProcess runs the whole server (internal/app) on 127.0.0.1:0 with
// ICE on loopback only, and stops it when the test ends. Its log is
// printed if the test fails.
func startInProcess(t *testing.T) *server {
	t.Helper()
	logs := &testlog.Buffer{}
	secret := bytes.Repeat([]byte("e2e-secret-"), 4)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, app.Config{
		DataDir:  t.TempDir(),
		Secret:   secret,
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Loopback: true,
		// Test payments, explicitly: the browser tests buy through the
		// dev checkout page (and check its banner).
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
			t.Logf("server log:\n%s", logs.Tail(8000))
		}
		if dir := os.Getenv("LECTERN_E2E_LOGS"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".log"), []byte(logs.String()), 0o644)
		}
	})
	return &server{URL: srv.URL, signer: a.Signer(), app: a}
}
