package sfu

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// slogFactory hands Pion loggers that write through slog, so that Pion's and
// Lectern's logs are one stream. Pion's trace level maps to slog debug - 4.
type slogFactory struct{ log *slog.Logger }

// NewLoggerFactory returns a Pion LoggerFactory writing to log.
func NewLoggerFactory(log *slog.Logger) logging.LoggerFactory { return slogFactory{log: log} }

func (f slogFactory) NewLogger(scope string) logging.LeveledLogger {
	return slogLogger{log: f.log.With("pion", scope)}
}

type slogLogger struct{ log *slog.Logger }

const levelTrace = slog.LevelDebug - 4

func (l slogLogger) emit(level slog.Level, msg string) {
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, msg)
	}
}

func (l slogLogger) emitf(level slog.Level, format string, args ...any) {
	if l.log.Enabled(context.Background(), level) {
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
func (l slogLogger) Warnf(format string, args ...any)  { l.emitf(slog.LevelWarn, format, args...) }
func (l slogLogger) Error(msg string)                  { l.emit(slog.LevelError, msg) }
func (l slogLogger) Errorf(format string, args ...any) { l.emitf(slog.LevelError, format, args...) }

// PionLogs returns the factory of the SFU's Pion loggers, for other Pion
// components of the server (the TURN relay).
func (s *SFU) PionLogs() logging.LoggerFactory { return s.lf }
