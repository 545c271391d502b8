package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/billing"
)

// CommissionOverride implements billing.Reader.
func (s *Store) CommissionOverride(ctx context.Context, teacherID string) (int, error) {
	return s.bq().CommissionOverride(ctx, teacherID)
}

func (b billingQ) CommissionOverride(ctx context.Context, teacherID string) (int, error) {
	var bps int64
	err := b.q.queryRow(ctx, "SELECT bps FROM billing_commissions WHERE teacher_id = ?", []any{&bps}, teacherID)
	return int(bps), b.err(err)
}

func (b billingQ) PutCommissionOverride(ctx context.Context, teacherID string, bps *int, at time.Time) error {
	if bps == nil {
		_, err := b.q.exec(ctx, "DELETE FROM billing_commissions WHERE teacher_id = ?", teacherID)
		return b.err(err)
	}
	_, err := b.q.exec(ctx, `INSERT INTO billing_commissions (teacher_id, bps, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (teacher_id) DO UPDATE SET bps = excluded.bps, updated_at = excluded.updated_at`,
		teacherID, *bps, ms(at))
	return b.err(err)
}

func (b billingQ) InsertPaidStatement(ctx context.Context, st billing.Statement) error {
	_, err := b.q.exec(ctx, `INSERT INTO billing_statements (teacher_id, month, currency, orders, gross,
		refunds, commission_bps, commission, net, paid_at, paid_by, paid_ref)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.TeacherID, st.Month, st.Currency, st.Orders, st.Gross, st.Refunds, st.CommissionBps,
		st.Commission, st.Net, ms(st.PaidAt), st.PaidBy, st.PaidRef)
	return b.err(err)
}

// PaidStatements implements billing.Reader.
func (s *Store) PaidStatements(ctx context.Context, teacherID, from, to string) ([]billing.Statement, error) {
	return s.bq().PaidStatements(ctx, teacherID, from, to)
}

func (b billingQ) PaidStatements(ctx context.Context, teacherID, from, to string) ([]billing.Statement, error) {
	where, args := " WHERE teacher_id = ?", []any{teacherID}
	if from != "" {
		where, args = where+" AND month >= ?", append(args, from)
	}
	if to != "" {
		where, args = where+" AND month <= ?", append(args, to)
	}
	var out []billing.Statement
	rs, err := b.q.query(ctx, `SELECT teacher_id, month, currency, orders, gross, refunds, commission_bps,
		commission, net, paid_at, paid_by, paid_ref FROM billing_statements`+where+` ORDER BY month, currency`, args...)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			st          billing.Statement
			orders, bps int64
			paid        int64
		)
		if err := rs.Scan(&st.TeacherID, &st.Month, &st.Currency, &orders, &st.Gross, &st.Refunds, &bps,
			&st.Commission, &st.Net, &paid, &st.PaidBy, &st.PaidRef); err != nil {
			return err
		}
		st.Orders, st.CommissionBps, st.PaidAt, st.Status = int(orders), int(bps), fromMS(paid), billing.StatementPaid
		out = append(out, st)
		return nil
	})
	return out, b.err(err)
}
