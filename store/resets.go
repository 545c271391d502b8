package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/classroom"
)

// CreatePasswordReset implements classroom.PasswordResets.
func (s *Store) CreatePasswordReset(ctx context.Context, r classroom.PasswordReset) error {
	_, err := s.db.exec(ctx, `INSERT INTO password_resets (id, account_id, verifier, created_at,
		expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.ID, r.AccountID, r.Verifier, ms(r.CreatedAt), ms(r.ExpiresAt), ms(r.UsedAt))
	return s.mapErr(err, nil)
}

// PasswordReset implements classroom.PasswordResets.
func (s *Store) PasswordReset(ctx context.Context, id string) (classroom.PasswordReset, error) {
	var (
		r                      classroom.PasswordReset
		created, expires, used int64
	)
	err := s.db.queryRow(ctx, `SELECT id, account_id, verifier, created_at, expires_at, used_at
		FROM password_resets WHERE id = ?`,
		[]any{&r.ID, &r.AccountID, &r.Verifier, &created, &expires, &used}, id)
	r.CreatedAt, r.ExpiresAt, r.UsedAt = fromMS(created), fromMS(expires), fromMS(used)
	return r, s.mapErr(err, nil)
}

// UsePasswordReset implements classroom.PasswordResets.
func (s *Store) UsePasswordReset(ctx context.Context, id, hash string, now time.Time) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		var (
			accountID     string
			expires, used int64
		)
		err := q.queryRow(ctx, "SELECT account_id, expires_at, used_at FROM password_resets WHERE id = ?",
			[]any{&accountID, &expires, &used}, id)
		switch {
		case err != nil:
			return err
		case used != 0:
			return classroom.ErrTokenUsed
		case expires <= ms(now):
			return classroom.ErrBadToken
		}
		// The guard on used_at makes two racing uses spend it once.
		n, err := q.exec(ctx, "UPDATE password_resets SET used_at = ? WHERE id = ? AND used_at = 0", ms(now), id)
		if err != nil {
			return err
		}
		if n == 0 {
			return classroom.ErrTokenUsed
		}
		if _, err := q.exec(ctx, "UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?",
			hash, ms(now), accountID); err != nil {
			return err
		}
		if _, err := q.exec(ctx, "DELETE FROM sessions WHERE account_id = ?", accountID); err != nil {
			return err
		}
		_, err = q.exec(ctx, "DELETE FROM password_resets WHERE account_id = ? AND used_at = 0", accountID)
		return err
	}), nil)
}
