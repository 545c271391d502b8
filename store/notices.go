package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/lectern/lectern/classroom"
)

// insertNotices writes notices inside the caller's transaction.
func insertNotices(ctx context.Context, q querier, notices []classroom.Notice) error {
	for _, n := range notices {
		vars, err := json.Marshal(n.Vars)
		if err != nil {
			return err
		}
		if _, err := q.exec(ctx, "INSERT INTO notices (id, account_id, kind, vars, created_at) VALUES (?, ?, ?, ?, ?)",
			n.ID, n.AccountID, n.Kind, string(vars), ms(n.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// Notices implements classroom.Publishing.
func (s *Store) Notices(ctx context.Context, accountID string, p classroom.Page) ([]classroom.Notice, error) {
	limit, offset := pageArgs(p)
	var out []classroom.Notice
	rs, err := s.db.query(ctx, `SELECT id, account_id, kind, vars, created_at, read_at FROM notices
		WHERE account_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?`, accountID, limit, offset)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			n             classroom.Notice
			vars          string
			created, read int64
		)
		if err := rs.Scan(&n.ID, &n.AccountID, &n.Kind, &vars, &created, &read); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(vars), &n.Vars); err != nil {
			return err
		}
		n.CreatedAt, n.ReadAt = fromMS(created), fromMS(read)
		out = append(out, n)
		return nil
	})
	return out, s.mapErr(err, nil)
}

// MarkNoticesRead implements classroom.Publishing.
func (s *Store) MarkNoticesRead(ctx context.Context, accountID string, at time.Time) error {
	_, err := s.db.exec(ctx, "UPDATE notices SET read_at = ? WHERE account_id = ? AND read_at = 0", ms(at), accountID)
	return s.mapErr(err, nil)
}
