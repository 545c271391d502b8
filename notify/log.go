package notify

import (
	"context"
	"log/slog"
)

// LogSender writes messages to the log instead of sending them: the
// sender when no SMTP server is configured, so an operator can hand a
// reset link on from the log.
type LogSender struct{ Logger *slog.Logger }

// Send implements Sender.
func (l LogSender) Send(_ context.Context, m Mail) error {
	l.Logger.Info("email not sent (no SMTP configured)", "to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}
