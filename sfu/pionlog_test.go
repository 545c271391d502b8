package sfu

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestPionLogsQuietByDefault: Pion's info and debug lines (its congestion
// controller's flood) are dropped unless asked for, whatever the level
// of Lectern's own log; its warnings pass.
func TestPionLogsQuietByDefault(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l := NewLoggerFactory(log, nil).NewLogger("gcc")
	l.Infof("delaystats %d", 1)
	l.Debug("loss controller")
	l.Warn("ice failed")
	if out := buf.String(); strings.Contains(out, "delaystats") || strings.Contains(out, "loss controller") || !strings.Contains(out, "ice failed") {
		t.Fatalf("default Pion level let through:\n%s", out)
	}
	buf.Reset()
	NewLoggerFactory(log, slog.LevelDebug).NewLogger("gcc").Debug("loss controller")
	if !strings.Contains(buf.String(), "loss controller") {
		t.Fatal("--pion-log-level debug dropped a debug line")
	}
}
