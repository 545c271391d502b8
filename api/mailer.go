package api

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// Message is one plain-text email.
type Message struct {
	To      string
	Subject string
	Body    string
}

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

// SMTPMailer sends through an SMTP server with STARTTLS when offered and
// PLAIN authentication when Username is set.
type SMTPMailer struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
}

// Send implements Mailer.
func (m SMTPMailer) Send(ctx context.Context, msg Message) error {
	for _, s := range []string{msg.To, msg.Subject, m.From} {
		if strings.ContainsAny(s, "\r\n") {
			return fmt.Errorf("api: header injection refused")
		}
	}
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return err
	}
	var auth smtp.Auth
	if m.Username != "" {
		auth = smtp.PlainAuth("", m.Username, m.Password, host)
	}
	body := "From: " + m.From + "\r\nTo: " + msg.To + "\r\nSubject: " + msg.Subject +
		"\r\nDate: " + time.Now().Format(time.RFC1123Z) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(msg.Body, "\n", "\r\n")
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return err
		}
	}
	if err := c.Mail(m.From); err != nil {
		return err
	}
	if err := c.Rcpt(msg.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(body)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
