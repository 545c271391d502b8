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

// TestPionUnhandledRTCPIsDebug: Pion's warning about RTCP for an
// undeclared SSRC (a down-track's RTX SSRC, which the RTCP sink handles)
// is a debug line; other warnings stay warnings.
func TestPionUnhandledRTCPIsDebug(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l := NewLoggerFactory(log, slog.LevelDebug).NewLogger("pc")
	l.Warnf(pionUnhandledRTCP, 1234)
	l.Warnf("Failed to accept RTCP %v", "closed")
	out := buf.String()
	if !strings.Contains(out, "level=DEBUG msg=\"Incoming unhandled RTCP ssrc(1234)") {
		t.Fatalf("the unhandled-RTCP line is not a debug line:\n%s", out)
	}
	if !strings.Contains(out, "level=WARN msg=\"Failed to accept RTCP closed") {
		t.Fatalf("another warning lost its level:\n%s", out)
	}
	buf.Reset()
	NewLoggerFactory(log, nil).NewLogger("pc").Warnf(pionUnhandledRTCP, 1234)
	if buf.Len() != 0 {
		t.Fatalf("at the default Pion level the unhandled-RTCP line shows: %s", buf.String())
	}
}
