// Package smtpmail sends notify's mail through an SMTP server. It is apart
// from notify so that the outbox's store (package store) does not depend
// on net/smtp.
package smtpmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/lectern/lectern/notify"
)

// SMTP sends through an SMTP server, with STARTTLS when the server offers
// it and PLAIN authentication when Username is set. Headers are UTF-8
// (RFC 2047 encoded where needed); the body is plain UTF-8 text.
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	// InsecureSkipVerify accepts any certificate on STARTTLS (tests only).
	InsecureSkipVerify bool
}

// Send implements notify.Sender.
func (s SMTP) Send(ctx context.Context, m notify.Mail) error {
	if crlf(m.To) || crlf(m.Subject) || crlf(s.From) {
		return notify.ErrHeader
	}
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return err
	}
	at := m.CreatedAt
	if at.IsZero() {
		at = time.Now()
	}
	var head strings.Builder
	head.WriteString("From: " + s.From + "\r\nTo: " + m.To + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", m.Subject) +
		"\r\nDate: " + at.Format(time.RFC1123Z))
	if m.ID != "" {
		head.WriteString("\r\nMessage-ID: <" + m.ID + "@lectern>")
	}
	head.WriteString("\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	body := head.String() + strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")

	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, InsecureSkipVerify: s.InsecureSkipVerify}); err != nil { //nolint:gosec // tests only
			return err
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.From); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("notify: recipient refused: %w", permanent(err))
	}
	w, err := c.Data()
	if err != nil {
		return permanent(err)
	}
	if _, err := w.Write([]byte(body)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify: message refused: %w", permanent(err))
	}
	return c.Quit()
}

// permanent turns an SMTP 5xx reply (a refusal for good, RFC 5321
// section 4.2.1) into a *notify.BounceError; anything else, a 4xx or a
// network failure, is returned as is and retried.
func permanent(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 && te.Code < 600 {
		return &notify.BounceError{Code: te.Code, Msg: te.Msg}
	}
	return err
}

func crlf(s string) bool { return strings.ContainsAny(s, "\r\n") }
