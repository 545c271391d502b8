package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/classroom"
)

// missingOrConflict tells apart, after an UPDATE of table that matched no
// row, a row that does not exist (ErrNotFound) from one that changed
// (ErrConflict).
func missingOrConflict(ctx context.Context, q querier, table, id string) error {
	var n int64
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM "+table+" WHERE id = ?", []any{&n}, id); err != nil {
		return err
	}
	if n == 0 {
		return classroom.ErrNotFound
	}
	return classroom.ErrConflict
}

// SetCourseReview implements classroom.Publishing.
func (s *Store) SetCourseReview(ctx context.Context, c classroom.Course, prev classroom.CourseState, e classroom.AuditEntry,
	notices ...classroom.Notice) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE courses SET state = ?, submitted_revision = ?, submitted_at = ?,
			review_note = ?, reviewed_by = ?, reviewed_at = ?, updated_at = ?
			WHERE id = ? AND state = ? AND revision = ?`,
			string(c.State), c.SubmittedRevision, ms(c.SubmittedAt), c.Note, c.ReviewedBy, ms(c.ReviewedAt),
			ms(c.UpdatedAt), c.ID, string(prev), c.Revision)
		if err != nil {
			return err
		}
		if n == 0 {
			return missingOrConflict(ctx, q, "courses", c.ID)
		}
		if err := insertNotices(ctx, q, notices); err != nil {
			return err
		}
		return appendAudit(ctx, q, e)
	}), nil)
}

// adminCount counts enabled administrators.
func adminCount(ctx context.Context, q querier) (int64, error) {
	var n int64
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM accounts
		WHERE disabled_at = 0 AND (',' || roles || ',') LIKE '%,admin,%'`, []any{&n})
	return n, err
}

// keepAnAdmin fails with ErrLastAdmin when the transaction's changes left
// no enabled administrator.
func keepAnAdmin(ctx context.Context, q querier) error {
	n, err := adminCount(ctx, q)
	if err != nil {
		return err
	}
	if n == 0 {
		return classroom.ErrLastAdmin
	}
	return nil
}

// SetRoles implements classroom.Publishing.
func (s *Store) SetRoles(ctx context.Context, accountID string, roles classroom.Roles, now time.Time, e classroom.AuditEntry) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, "UPDATE accounts SET roles = ?, updated_at = ? WHERE id = ?",
			roles.String(), ms(now), accountID)
		if err != nil {
			return err
		}
		if n == 0 {
			return classroom.ErrNotFound
		}
		if err := keepAnAdmin(ctx, q); err != nil {
			return err
		}
		return appendAudit(ctx, q, e)
	}), nil)
}

// SetDisabled implements classroom.Publishing.
func (s *Store) SetDisabled(ctx context.Context, accountID string, at time.Time, e classroom.AuditEntry) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, "UPDATE accounts SET disabled_at = ? WHERE id = ?", ms(at), accountID)
		if err != nil {
			return err
		}
		if n == 0 {
			return classroom.ErrNotFound
		}
		if !at.IsZero() {
			if _, err := q.exec(ctx, "DELETE FROM sessions WHERE account_id = ?", accountID); err != nil {
				return err
			}
			if err := keepAnAdmin(ctx, q); err != nil {
				return err
			}
		}
		return appendAudit(ctx, q, e)
	}), nil)
}

// SetTrusted implements classroom.Publishing.
func (s *Store) SetTrusted(ctx context.Context, accountID string, at time.Time, e classroom.AuditEntry) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, "UPDATE accounts SET trusted_at = ? WHERE id = ?", ms(at), accountID)
		if err != nil {
			return err
		}
		if n == 0 {
			return classroom.ErrNotFound
		}
		return appendAudit(ctx, q, e)
	}), nil)
}

// RevokeSessions implements classroom.Publishing.
func (s *Store) RevokeSessions(ctx context.Context, accountID string, e classroom.AuditEntry) (int64, error) {
	var n int64
	err := s.db.tx(ctx, func(q querier) error {
		var err error
		if n, err = q.exec(ctx, "DELETE FROM sessions WHERE account_id = ?", accountID); err != nil {
			return err
		}
		return appendAudit(ctx, q, e)
	})
	return n, s.mapErr(err, nil)
}

// SearchAccounts implements classroom.Publishing.
func (s *Store) SearchAccounts(ctx context.Context, text string, p classroom.Page) ([]classroom.Account, error) {
	limit, offset := pageArgs(p)
	pat := "%" + likeEscape(lower(text)) + "%"
	rs, err := s.db.query(ctx, "SELECT "+accountCols+` FROM accounts a
		WHERE a.email LIKE ? ESCAPE '\' OR LOWER(a.display_name) LIKE ? ESCAPE '\'
		ORDER BY a.created_at DESC, a.id LIMIT ? OFFSET ?`, pat, pat, limit, offset)
	out, err := scanAccounts(rs, err)
	return out, s.mapErr(err, nil)
}
