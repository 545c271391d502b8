package store

import (
	"context"
	"strings"
	"time"

	"github.com/lectern/lectern/notify"
)

// EnqueueMail implements notify.Store.
func (s *Store) EnqueueMail(ctx context.Context, m notify.Mail) error {
	return s.mapErr(insertMail(ctx, s.db, m.ID, m.To, m.Subject, m.Body, m.CreatedAt, m.NextAttemptAt), nil)
}

// DueMail implements notify.Store.
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]notify.Mail, error) {
	var out []notify.Mail
	rs, err := s.db.query(ctx, `SELECT id, to_addr, subject, body, created_at, next_attempt_at, attempts, last_error
		FROM mail_outbox WHERE sent_at = 0 AND held_at = 0 AND next_attempt_at <= ? ORDER BY created_at, id LIMIT ?`, ms(now), limit)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			m            notify.Mail
			created, nxt int64
			attempts     int64
		)
		if err := rs.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &created, &nxt, &attempts, &m.LastError); err != nil {
			return err
		}
		m.CreatedAt, m.NextAttemptAt, m.Attempts = fromMS(created), fromMS(nxt), int(attempts)
		out = append(out, m)
		return nil
	})
	return out, s.mapErr(err, nil)
}

// ClaimMail implements notify.Store.
func (s *Store) ClaimMail(ctx context.Context, id string, now, leaseUntil time.Time) (bool, error) {
	n, err := s.db.exec(ctx, `UPDATE mail_outbox SET next_attempt_at = ?, attempts = attempts + 1
		WHERE id = ? AND sent_at = 0 AND held_at = 0 AND next_attempt_at <= ?`, ms(leaseUntil), id, ms(now))
	return n == 1, s.mapErr(err, nil)
}

// MarkMailSent implements notify.Store.
func (s *Store) MarkMailSent(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.exec(ctx, "UPDATE mail_outbox SET sent_at = ?, last_error = '' WHERE id = ?", ms(at), id)
	return s.mapErr(err, nil)
}

// MarkMailFailed implements notify.Store.
func (s *Store) MarkMailFailed(ctx context.Context, id string, next time.Time, reason string) error {
	_, err := s.db.exec(ctx, "UPDATE mail_outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND sent_at = 0",
		ms(next), mailError(reason), id)
	return s.mapErr(err, nil)
}

// maxMailError bounds a message's last_error (bytes).
const maxMailError = 500

// mailError is a send failure's text as last_error keeps it: valid UTF-8
// (PostgreSQL refuses anything else, and an SMTP reply may be anything),
// at most maxMailError bytes, cut between characters.
func mailError(reason string) string {
	reason = strings.ToValidUTF8(reason, "")
	if len(reason) > maxMailError {
		// A character cut in two is invalid, and dropped.
		reason = strings.ToValidUTF8(reason[:maxMailError], "")
	}
	return reason
}

// MailTo lists the messages queued for an address, sent or not, newest
// first, at most limit (an administrator answering "did my mail go
// out?", and tests).
func (s *Store) MailTo(ctx context.Context, to string, limit int) ([]notify.Mail, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	var out []notify.Mail
	rs, err := s.db.query(ctx, `SELECT id, to_addr, subject, body, created_at, next_attempt_at, attempts, sent_at, last_error, held_at
		FROM mail_outbox WHERE to_addr = ? ORDER BY created_at DESC, id LIMIT ?`, to, limit)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			m                        notify.Mail
			created, nxt, sent, held int64
			attempts                 int64
		)
		if err := rs.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &created, &nxt, &attempts, &sent, &m.LastError, &held); err != nil {
			return err
		}
		m.CreatedAt, m.NextAttemptAt, m.Attempts, m.SentAt = fromMS(created), fromMS(nxt), int(attempts), fromMS(sent)
		m.HeldAt = fromMS(held)
		out = append(out, m)
		return nil
	})
	return out, s.mapErr(err, nil)
}
