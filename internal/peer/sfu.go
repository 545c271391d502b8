package peer

import (
	"log/slog"
	"os"

	"github.com/lectern/lectern/sfu"
)

// TestLog is the tests' logger: debug and up to stderr when
// LECTERN_TEST_LOG is set, otherwise nil (which the SFU and the
// signalling server take as "discard").
func TestLog() *slog.Logger {
	if os.Getenv("LECTERN_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// SFU is the tests' SFU: ICE on loopback (127.0.0.1:0), logging to
// TestLog, closed when t ends; any failure fails t.
func SFU(t TB) *sfu.SFU {
	t.Helper()
	s, err := sfu.New(sfu.Config{ICEUDPAddr: "127.0.0.1:0", Loopback: true, Logger: TestLog()})
	if err != nil {
		t.Fatalf("SFU: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
