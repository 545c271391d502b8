package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/classroom"
)

// heldReason is the last_error of a message kept unsent because its
// address bounces.
const heldReason = "kept unsent: the address bounces"

// MarkMailBounced implements notify.Store.
func (s *Store) MarkMailBounced(ctx context.Context, id, to string, at time.Time, reason string) error {
	reason = mailError(reason)
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		if _, err := q.exec(ctx, `INSERT INTO mail_bounces (addr, bounced_at, reason) VALUES (?, ?, ?)
			ON CONFLICT (addr) DO UPDATE SET bounced_at = excluded.bounced_at, reason = excluded.reason`,
			to, ms(at), reason); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `UPDATE mail_outbox SET held_at = ?, last_error = ? WHERE id = ? AND sent_at = 0`,
			ms(at), reason, id); err != nil {
			return err
		}
		_, err := q.exec(ctx, `UPDATE mail_outbox SET held_at = ?, last_error = ?
			WHERE to_addr = ? AND sent_at = 0 AND held_at = 0`, ms(at), heldReason, to)
		return err
	}), nil)
}

// ClearEmailBounce implements classroom.EmailVerification.
func (s *Store) ClearEmailBounce(ctx context.Context, addr string, at time.Time) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		return clearBounce(ctx, q, addr, at)
	}), nil)
}

// clearBounce forgets that addr bounces and releases the mail kept for
// it, due at at, inside the caller's transaction.
func clearBounce(ctx context.Context, q querier, addr string, at time.Time) error {
	n, err := q.exec(ctx, `DELETE FROM mail_bounces WHERE addr = ?`, addr)
	if err != nil || n == 0 {
		return err
	}
	_, err = q.exec(ctx, `UPDATE mail_outbox SET held_at = 0, next_attempt_at = ?, last_error = ''
		WHERE to_addr = ? AND sent_at = 0 AND held_at > 0`, ms(at), addr)
	return err
}

// insertMail queues one message inside the caller's transaction (or on
// its own); it is kept unsent from the start if its address bounces.
func insertMail(ctx context.Context, q querier, id, to, subject, body string, created, due time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO mail_outbox (id, to_addr, subject, body, created_at, next_attempt_at, held_at, last_error)
		VALUES (?, ?, ?, ?, ?, ?,
			CASE WHEN EXISTS (SELECT 1 FROM mail_bounces WHERE addr = ?) THEN CAST(? AS BIGINT) ELSE 0 END,
			CASE WHEN EXISTS (SELECT 1 FROM mail_bounces WHERE addr = ?) THEN CAST(? AS TEXT) ELSE '' END)`,
		id, to, subject, body, ms(created), ms(due), to, ms(created), to, heldReason)
	return err
}

var _ classroom.EmailVerification = (*Store)(nil)
