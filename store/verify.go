package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/classroom"
)

// SetEmailVerified implements classroom.EmailVerification.
func (s *Store) SetEmailVerified(ctx context.Context, accountID, email string, at time.Time) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE accounts SET email_verified_at = ? WHERE id = ? AND email = ? AND email_verified_at = 0`,
			ms(at), accountID, email)
		if err != nil {
			return err
		}
		if n == 1 {
			return clearBounce(ctx, q, email, at)
		}
		var got string
		var verified int64
		if err := q.queryRow(ctx, "SELECT email, email_verified_at FROM accounts WHERE id = ?", []any{&got, &verified}, accountID); err != nil {
			return err
		}
		if got != email {
			return classroom.ErrConflict
		}
		return clearBounce(ctx, q, email, at) // verified before: the mailbox works
	}), nil)
}

// ChangeEmail implements classroom.EmailVerification.
func (s *Store) ChangeEmail(ctx context.Context, accountID, from, to string, at time.Time, mails []classroom.Mail) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE accounts SET email = ?, email_verified_at = 0, updated_at = ? WHERE id = ? AND email = ?`,
			to, ms(at), accountID, from)
		if err != nil {
			return err
		}
		if n == 0 {
			return missingOrConflict(ctx, q, "accounts", accountID)
		}
		return insertMails(ctx, q, at, mails)
	}), classroom.ErrEmailTaken)
}
