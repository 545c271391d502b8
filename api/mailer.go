package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/lectern/lectern/classroom"
)

// Message is one plain-text email: the classroom's Mail, which lesson
// mailings queue, under the name the Mailer has always taken.
type Message = classroom.Mail

// Mailer sends email. The API sends password-reset links through it.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// LogMailer writes messages to the log instead of sending them: the
// default when no SMTP server is configured. An operator can hand a reset
// link on from the log.
type LogMailer struct{ Logger *slog.Logger }

// Send implements Mailer.
func (l LogMailer) Send(_ context.Context, m Message) error {
	l.Logger.Info("email not sent (no SMTP configured)", "to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}

// Outbox queues mail durably (notify.Outbox): once Enqueue returns nil the
// message survives a restart and SMTP being down.
type Outbox interface {
	Enqueue(ctx context.Context, to, subject, body string) error
}

// sendMail queues msg in the outbox when there is one (its failure fails
// the request: nothing is lost silently), else sends it in the background
// through the Mailer.
func (s *Server) sendMail(ctx context.Context, msg Message) error {
	if s.outbox != nil {
		return s.outbox.Enqueue(ctx, msg.To, msg.Subject, msg.Body)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.mailer.Send(ctx, msg); err != nil {
			s.log.Error("send mail", "to", msg.To, "subject", msg.Subject, "err", err)
		}
	}()
	return nil
}
