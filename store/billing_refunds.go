package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

const refundCols = `id, order_id, account_id, course_id, teacher_id, status, requested, amount, currency,
	reason, note, requested_by, decided_by, provider_ref, created_at, decided_at, completed_at`

type refundRow struct {
	r                           billing.Refund
	status                      string
	created, decided, completed int64
}

func (r *refundRow) dest() []any {
	x := &r.r
	return []any{&x.ID, &x.OrderID, &x.AccountID, &x.CourseID, &x.TeacherID, &r.status, &x.Requested,
		&x.Amount, &x.Currency, &x.Reason, &x.Note, &x.RequestedBy, &x.DecidedBy, &x.ProviderRef,
		&r.created, &r.decided, &r.completed}
}

func (r *refundRow) refund() billing.Refund {
	r.r.Status = billing.RefundStatus(r.status)
	r.r.CreatedAt, r.r.DecidedAt, r.r.CompletedAt = fromMS(r.created), fromMS(r.decided), fromMS(r.completed)
	return r.r
}

func (b billingQ) InsertRefund(ctx context.Context, r billing.Refund) error {
	_, err := b.q.exec(ctx, `INSERT INTO billing_refunds (`+refundCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.OrderID, r.AccountID, r.CourseID, r.TeacherID, string(r.Status), r.Requested, r.Amount,
		r.Currency, r.Reason, r.Note, r.RequestedBy, r.DecidedBy, r.ProviderRef,
		ms(r.CreatedAt), ms(r.DecidedAt), ms(r.CompletedAt))
	return b.err(err)
}

func (b billingQ) UpdateRefund(ctx context.Context, r billing.Refund, prev billing.RefundStatus) error {
	n, err := b.q.exec(ctx, `UPDATE billing_refunds SET status = ?, amount = ?, note = ?, decided_by = ?,
		provider_ref = ?, decided_at = ?, completed_at = ? WHERE id = ? AND status = ?`,
		string(r.Status), r.Amount, r.Note, r.DecidedBy, r.ProviderRef, ms(r.DecidedAt), ms(r.CompletedAt),
		r.ID, string(prev))
	if err != nil {
		return b.err(err)
	}
	if n == 0 {
		return classroom.ErrConflict
	}
	return nil
}

// Refund implements billing.Reader.
func (s *Store) Refund(ctx context.Context, id string) (billing.Refund, error) {
	return s.bq().Refund(ctx, id)
}

func (b billingQ) Refund(ctx context.Context, id string) (billing.Refund, error) {
	var r refundRow
	err := b.q.queryRow(ctx, "SELECT "+refundCols+" FROM billing_refunds WHERE id = ?", r.dest(), id)
	return r.refund(), b.err(err)
}

// ListRefunds implements billing.Reader.
func (s *Store) ListRefunds(ctx context.Context, q billing.RefundQuery) ([]billing.Refund, error) {
	return s.bq().ListRefunds(ctx, q)
}

func (b billingQ) ListRefunds(ctx context.Context, q billing.RefundQuery) ([]billing.Refund, error) {
	limit, offset := pageArgs(q.Page)
	where, args := " WHERE 1 = 1", []any{}
	for _, f := range []struct{ col, v string }{
		{"teacher_id", q.TeacherID}, {"account_id", q.AccountID}, {"order_id", q.OrderID}, {"status", string(q.Status)},
	} {
		if f.v != "" {
			where += " AND " + f.col + " = ?"
			args = append(args, f.v)
		}
	}
	var out []billing.Refund
	rs, err := b.q.query(ctx, "SELECT "+refundCols+" FROM billing_refunds"+where+
		" ORDER BY created_at DESC, id LIMIT ? OFFSET ?", append(args, limit, offset)...)
	err = scanAll(rs, err, func(rs rows) error {
		var r refundRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		out = append(out, r.refund())
		return nil
	})
	return out, b.err(err)
}

// --- revenue and lesson progress

// Revenue implements billing.Reader.
func (s *Store) Revenue(ctx context.Context, q billing.RevenueQuery) ([]billing.RevenueRow, error) {
	return s.bq().Revenue(ctx, q)
}

func (b billingQ) Revenue(ctx context.Context, q billing.RevenueQuery) ([]billing.RevenueRow, error) {
	where, args := " WHERE l.kind IN ('payment', 'refund')", []any{}
	for _, f := range []struct{ cond, v string }{
		{"l.teacher_id = ?", q.TeacherID}, {"l.course_id = ?", q.CourseID},
		{"l.month >= ?", q.From}, {"l.month <= ?", q.To},
	} {
		if f.v != "" {
			where += " AND " + f.cond
			args = append(args, f.v)
		}
	}
	var out []billing.RevenueRow
	rs, err := b.q.query(ctx, `SELECT l.month, l.course_id, c.title, l.teacher_id, l.currency,
		CAST(COUNT(DISTINCT CASE WHEN l.kind = 'payment' THEN l.order_id END) AS BIGINT),
		CAST(SUM(CASE WHEN l.kind = 'payment' THEN l.amount ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN l.kind = 'refund' THEN l.amount ELSE 0 END) AS BIGINT)
		FROM billing_ledger l JOIN courses c ON c.id = l.course_id`+where+`
		GROUP BY l.month, l.course_id, c.title, l.teacher_id, l.currency
		ORDER BY l.month, c.title, l.course_id, l.currency LIMIT 5000`, args...)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			r billing.RevenueRow
			n int64
		)
		if err := rs.Scan(&r.Month, &r.CourseID, &r.CourseTitle, &r.TeacherID, &r.Currency, &n,
			&r.Gross, &r.Refunds); err != nil {
			return err
		}
		r.Payments = int(n)
		out = append(out, r)
		return nil
	})
	return out, b.err(err)
}

// LessonProgress implements billing.Reader.
func (s *Store) LessonProgress(ctx context.Context, courseID string, now time.Time) (int, int, error) {
	return s.bq().LessonProgress(ctx, courseID, now)
}

func (b billingQ) LessonProgress(ctx context.Context, courseID string, now time.Time) (int, int, error) {
	var total, passed int64
	err := b.q.queryRow(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN status = 'ended'
		OR starts_at + duration_seconds * 1000 <= ? THEN 1 ELSE 0 END), 0) AS BIGINT)
		FROM lessons WHERE course_id = ?`, []any{&total, &passed}, ms(now), courseID)
	return int(total), int(passed), b.err(err)
}
