package sfu

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// slogFactory hands Pion loggers that write through slog, so that Pion's and
// Lectern's logs are one stream. Pion's trace level maps to slog debug - 4.
// Pion's lines below min are dropped whatever log's own level: its
// congestion controller alone writes thousands of lines a minute.
type slogFactory struct {
	log *slog.Logger
	min slog.Leveler
}

// NewLoggerFactory returns a Pion LoggerFactory writing to log the lines
// at min or above (nil: warnings and errors only).
func NewLoggerFactory(log *slog.Logger, min slog.Leveler) logging.LoggerFactory {
	if min == nil {
		min = slog.LevelWarn
	}
	return slogFactory{log: log, min: min}
}

func (f slogFactory) NewLogger(scope string) logging.LeveledLogger {
	return slogLogger{log: f.log.With("pion", scope), min: f.min}
}

type slogLogger struct {
	log *slog.Logger
	min slog.Leveler
}

const levelTrace = slog.LevelDebug - 4

func (l slogLogger) emit(level slog.Level, msg string) {
	if level >= l.min.Level() && l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, msg)
	}
}

func (l slogLogger) emitf(level slog.Level, format string, args ...any) {
	if level >= l.min.Level() && l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, fmt.Sprintf(format, args...))
	}
}

func (l slogLogger) Trace(msg string)                  { l.emit(levelTrace, msg) }
func (l slogLogger) Tracef(format string, args ...any) { l.emitf(levelTrace, format, args...) }
func (l slogLogger) Debug(msg string)                  { l.emit(slog.LevelDebug, msg) }
func (l slogLogger) Debugf(format string, args ...any) { l.emitf(slog.LevelDebug, format, args...) }
func (l slogLogger) Info(msg string)                   { l.emit(slog.LevelInfo, msg) }
func (l slogLogger) Infof(format string, args ...any)  { l.emitf(slog.LevelInfo, format, args...) }
func (l slogLogger) Warn(msg string)                   { l.emit(slog.LevelWarn, msg) }
func (l slogLogger) Warnf(format string, args ...any)  { l.emitf(warnLevelOf(format), format, args...) }
func (l slogLogger) Error(msg string)                  { l.emit(slog.LevelError, msg) }
func (l slogLogger) Errorf(format string, args ...any) { l.emitf(slog.LevelError, format, args...) }

// pionUnhandledRTCP is the warning Pion's PeerConnection writes the first
// time RTCP names an SSRC none of its senders or receivers declared. On a
// sending connection of the SFU that is a down-track's RTX SSRC (a
// receiver addresses its transport-cc reports to the SSRC it heard last:
// during a padding probe, the RTX one), and the RTCP sink handles it
// (rtcpsink.go), so it is no warning here.
const pionUnhandledRTCP = "Incoming unhandled RTCP ssrc(%d), OnTrack will not be fired"

// warnLevelOf is the level of a Pion warning: debug for those the SFU
// handles.
func warnLevelOf(format string) slog.Level {
	if format == pionUnhandledRTCP {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

// PionLogs returns the factory of the SFU's Pion loggers, for other Pion
// components of the server (the TURN relay).
func (s *SFU) PionLogs() logging.LoggerFactory { return s.lf }
