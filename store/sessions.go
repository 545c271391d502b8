package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/classroom"
)

const sessionCols = `s.id, s.account_id, s.verifier, s.created_at, s.last_seen_at, s.expires_at,
	s.user_agent, s.ip`

type sessionRow struct {
	s                      classroom.Session
	created, seen, expires int64
}

func (r *sessionRow) dest() []any {
	return []any{&r.s.ID, &r.s.AccountID, &r.s.Verifier, &r.created, &r.seen, &r.expires,
		&r.s.UserAgent, &r.s.IP}
}

func (r *sessionRow) session() classroom.Session {
	r.s.CreatedAt, r.s.LastSeenAt, r.s.ExpiresAt = fromMS(r.created), fromMS(r.seen), fromMS(r.expires)
	return r.s
}

// CreateSession implements classroom.Sessions.
func (s *Store) CreateSession(ctx context.Context, se classroom.Session) error {
	_, err := s.db.exec(ctx, `INSERT INTO sessions (id, account_id, verifier, created_at,
		last_seen_at, expires_at, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		se.ID, se.AccountID, se.Verifier, ms(se.CreatedAt), ms(se.LastSeenAt), ms(se.ExpiresAt),
		se.UserAgent, se.IP)
	return s.mapErr(err, nil)
}

// SessionAccount implements classroom.Sessions.
func (s *Store) SessionAccount(ctx context.Context, id string) (classroom.Session, classroom.Account, error) {
	var (
		sr sessionRow
		ar accountRow
	)
	err := s.db.queryRow(ctx, "SELECT "+sessionCols+", "+accountCols+
		" FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id = ?",
		append(sr.dest(), ar.dest()...), id)
	if err != nil {
		return classroom.Session{}, classroom.Account{}, s.mapErr(err, nil)
	}
	a, err := ar.account()
	return sr.session(), a, err
}

// TouchSession implements classroom.Sessions.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", ms(at), id)
	return s.mapErr(err, nil)
}

// ListSessions implements classroom.Sessions.
func (s *Store) ListSessions(ctx context.Context, accountID string, now time.Time) ([]classroom.Session, error) {
	var out []classroom.Session
	rs, err := s.db.query(ctx, "SELECT "+sessionCols+
		" FROM sessions s WHERE s.account_id = ? AND s.expires_at > ? ORDER BY s.created_at DESC, s.id",
		accountID, ms(now))
	err = scanAll(rs, err, func(rs rows) error {
		var r sessionRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		out = append(out, r.session())
		return nil
	})
	return out, s.mapErr(err, nil)
}

// DeleteSession implements classroom.Sessions.
func (s *Store) DeleteSession(ctx context.Context, accountID, id string) error {
	n, err := s.db.exec(ctx, "DELETE FROM sessions WHERE id = ? AND account_id = ?", id, accountID)
	if err != nil {
		return s.mapErr(err, nil)
	}
	if n == 0 {
		return classroom.ErrNotFound
	}
	return nil
}

// DeleteExpiredSessions implements classroom.Sessions.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	err := s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", ms(now))
		if err != nil {
			return err
		}
		m, err := q.exec(ctx, "DELETE FROM password_resets WHERE expires_at <= ?", ms(now))
		total = n + m
		return err
	})
	return total, s.mapErr(err, nil)
}
