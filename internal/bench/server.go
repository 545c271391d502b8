package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
)

// target is the server under test.
type target struct {
	wsURL  string
	signer *token.Signer
	close  func()
}

// startServer starts Lectern in this process on 127.0.0.1, with a
// throwaway data directory and secret.
func startServer(ctx context.Context, cfg Config) (*target, error) {
	dir, err := os.MkdirTemp("", "lectern-bench-")
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	a, err := app.New(ctx, app.Config{DataDir: dir, Secret: secret, Logger: cfg.ServerLogger,
		Loopback: true, ICEUDPAddr: "127.0.0.1:0",
		// Every synthetic student comes from 127.0.0.1.
		SessionLimits: signaling.Limits{PerAddress: -1}})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cfg.Logger.Error("bench server", "err", err)
		}
	}()
	return &target{
		wsURL:  "ws://" + ln.Addr().String() + "/rtc",
		signer: a.Signer(),
		close: func() {
			_ = a.Close() // closes the WebSockets first
			_ = srv.Close()
			<-done
			os.RemoveAll(dir)
		},
	}, nil
}

// remoteServer targets a server given by URL.
func remoteServer(cfg Config) *target {
	u := strings.TrimRight(cfg.URL, "/")
	switch {
	case strings.HasPrefix(u, "https://"):
		u = "wss://" + strings.TrimPrefix(u, "https://")
	case strings.HasPrefix(u, "http://"):
		u = "ws://" + strings.TrimPrefix(u, "http://")
	}
	if !strings.HasSuffix(u, "/rtc") {
		u += "/rtc"
	}
	return &target{wsURL: u, signer: cfg.Signer, close: func() {}}
}
