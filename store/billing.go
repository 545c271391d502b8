package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Store implements billing.Store: billingQ holds the SQL, run either on
// the pool (reads) or inside a transaction (BillingTx).
var _ billing.Store = (*Store)(nil)

// billingQ runs billing's statements on q, a pool or a transaction.
type billingQ struct {
	q querier
	s *Store
}

var _ billing.Tx = billingQ{}

func (s *Store) bq() billingQ { return billingQ{q: s.db, s: s} }

// BillingTx implements billing.Store. Unique-key violations, PostgreSQL
// deadlocks and serialisation failures and SQLite's busy errors become
// classroom.ErrConflict, which the billing service retries.
func (s *Store) BillingTx(ctx context.Context, fn func(tx billing.Tx) error) error {
	return s.billingErr(s.db.tx(ctx, func(q querier) error { return fn(billingQ{q: q, s: s}) }))
}

// billingErr maps engine errors to the sentinels billing expects.
func (s *Store) billingErr(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001") {
		return classroom.ErrConflict
	}
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED) {
		return classroom.ErrConflict
	}
	return s.mapErr(err, nil)
}

func (b billingQ) err(err error) error { return b.s.billingErr(err) }

// --- prices and free lessons

// Price implements billing.Reader.
func (s *Store) Price(ctx context.Context, courseID string) (billing.Price, error) {
	return s.bq().Price(ctx, courseID)
}

func (b billingQ) Price(ctx context.Context, courseID string) (billing.Price, error) {
	var (
		p                billing.Price
		window, pct, upd int64
	)
	err := b.q.queryRow(ctx, `SELECT course_id, amount, currency, refund_window_seconds,
		refund_lessons_percent, updated_at FROM billing_prices WHERE course_id = ?`,
		[]any{&p.CourseID, &p.Amount, &p.Currency, &window, &pct, &upd}, courseID)
	p.RefundWindow = time.Duration(window) * time.Second
	p.RefundLessonsPercent = int(pct)
	p.UpdatedAt = fromMS(upd)
	return p, b.err(err)
}

func (b billingQ) PutPrice(ctx context.Context, p billing.Price) error {
	_, err := b.q.exec(ctx, `INSERT INTO billing_prices (course_id, amount, currency,
		refund_window_seconds, refund_lessons_percent, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (course_id) DO UPDATE SET amount = excluded.amount, currency = excluded.currency,
		refund_window_seconds = excluded.refund_window_seconds,
		refund_lessons_percent = excluded.refund_lessons_percent, updated_at = excluded.updated_at`,
		p.CourseID, p.Amount, p.Currency, int64(p.RefundWindow/time.Second), int64(p.RefundLessonsPercent),
		ms(p.UpdatedAt))
	return b.err(err)
}

func (b billingQ) DeletePrice(ctx context.Context, courseID string) error {
	_, err := b.q.exec(ctx, "DELETE FROM billing_prices WHERE course_id = ?", courseID)
	return b.err(err)
}

// FreeLessons implements billing.Reader.
func (s *Store) FreeLessons(ctx context.Context, courseID string) ([]string, error) {
	return s.bq().FreeLessons(ctx, courseID)
}

func (b billingQ) FreeLessons(ctx context.Context, courseID string) ([]string, error) {
	var out []string
	rs, err := b.q.query(ctx, `SELECT f.lesson_id FROM billing_free_lessons f
		JOIN lessons l ON l.id = f.lesson_id WHERE f.course_id = ? ORDER BY l.starts_at, l.id`, courseID)
	err = scanAll(rs, err, func(rs rows) error {
		var id string
		if err := rs.Scan(&id); err != nil {
			return err
		}
		out = append(out, id)
		return nil
	})
	return out, b.err(err)
}

func (b billingQ) SetFreeLesson(ctx context.Context, courseID, lessonID string, free bool) error {
	var err error
	if free {
		_, err = b.q.exec(ctx, `INSERT INTO billing_free_lessons (lesson_id, course_id) VALUES (?, ?)
			ON CONFLICT (lesson_id) DO NOTHING`, lessonID, courseID)
	} else {
		_, err = b.q.exec(ctx, "DELETE FROM billing_free_lessons WHERE lesson_id = ?", lessonID)
	}
	return b.err(err)
}

// AccessFacts implements billing.Reader.
func (s *Store) AccessFacts(ctx context.Context, accountID, courseID, lessonID string) (billing.Access, error) {
	return s.bq().AccessFacts(ctx, accountID, courseID, lessonID)
}

func (b billingQ) AccessFacts(ctx context.Context, accountID, courseID, lessonID string) (billing.Access, error) {
	var priced, free, entitled int64
	err := b.q.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM billing_prices WHERE course_id = ? AND amount > 0),
		(SELECT COUNT(*) FROM billing_free_lessons WHERE lesson_id = ? AND course_id = ?),
		(SELECT COUNT(*) FROM billing_entitlements WHERE account_id = ? AND course_id = ? AND revoked_at = 0)`,
		[]any{&priced, &free, &entitled}, courseID, lessonID, courseID, accountID, courseID)
	return billing.Access{Priced: priced > 0, FreeLesson: free > 0, Entitled: entitled > 0}, b.err(err)
}

// --- coupons

const couponCols = `id, teacher_id, course_id, code, percent_off, amount_off, currency, expires_at,
	max_redemptions, redeemed, created_at`

type couponRow struct {
	c                                billing.Coupon
	pct, maxR, red, expires, created int64
}

func (r *couponRow) dest() []any {
	return []any{&r.c.ID, &r.c.TeacherID, &r.c.CourseID, &r.c.Code, &r.pct, &r.c.AmountOff.Amount,
		&r.c.AmountOff.Currency, &r.expires, &r.maxR, &r.red, &r.created}
}

func (r *couponRow) coupon() billing.Coupon {
	r.c.PercentOff, r.c.MaxRedemptions, r.c.Redeemed = int(r.pct), int(r.maxR), int(r.red)
	r.c.ExpiresAt, r.c.CreatedAt = fromMS(r.expires), fromMS(r.created)
	return r.c
}

func (b billingQ) CreateCoupon(ctx context.Context, c billing.Coupon) error {
	_, err := b.q.exec(ctx, `INSERT INTO billing_coupons (`+couponCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.TeacherID, c.CourseID, c.Code, int64(c.PercentOff), c.AmountOff.Amount, c.AmountOff.Currency,
		ms(c.ExpiresAt), int64(c.MaxRedemptions), int64(c.Redeemed), ms(c.CreatedAt))
	if err != nil && b.s.db.classify(err) == errUnique {
		return billing.ErrCouponCodeTaken
	}
	return b.err(err)
}

// Coupon implements billing.Reader.
func (s *Store) Coupon(ctx context.Context, id string) (billing.Coupon, error) {
	return s.bq().Coupon(ctx, id)
}

func (b billingQ) Coupon(ctx context.Context, id string) (billing.Coupon, error) {
	var r couponRow
	err := b.q.queryRow(ctx, "SELECT "+couponCols+" FROM billing_coupons WHERE id = ?", r.dest(), id)
	return r.coupon(), b.err(err)
}

// CouponByCode implements billing.Reader.
func (s *Store) CouponByCode(ctx context.Context, teacherID, code string) (billing.Coupon, error) {
	return s.bq().CouponByCode(ctx, teacherID, code)
}

func (b billingQ) CouponByCode(ctx context.Context, teacherID, code string) (billing.Coupon, error) {
	var r couponRow
	err := b.q.queryRow(ctx, "SELECT "+couponCols+" FROM billing_coupons WHERE teacher_id = ? AND code = ?",
		r.dest(), teacherID, code)
	return r.coupon(), b.err(err)
}

// ListCoupons implements billing.Reader.
func (s *Store) ListCoupons(ctx context.Context, teacherID string) ([]billing.Coupon, error) {
	return s.bq().ListCoupons(ctx, teacherID)
}

func (b billingQ) ListCoupons(ctx context.Context, teacherID string) ([]billing.Coupon, error) {
	var out []billing.Coupon
	rs, err := b.q.query(ctx, "SELECT "+couponCols+` FROM billing_coupons WHERE teacher_id = ?
		ORDER BY created_at DESC, id LIMIT 500`, teacherID)
	err = scanAll(rs, err, func(rs rows) error {
		var r couponRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		out = append(out, r.coupon())
		return nil
	})
	return out, b.err(err)
}

func (b billingQ) RedeemCoupon(ctx context.Context, couponID string) error {
	n, err := b.q.exec(ctx, `UPDATE billing_coupons SET redeemed = redeemed + 1
		WHERE id = ? AND redeemed < max_redemptions`, couponID)
	if err != nil {
		return b.err(err)
	}
	if n == 0 {
		if _, err := b.Coupon(ctx, couponID); err != nil {
			return err
		}
		return billing.ErrCouponExhausted
	}
	return nil
}

func (b billingQ) ReleaseCoupon(ctx context.Context, couponID string) error {
	_, err := b.q.exec(ctx, "UPDATE billing_coupons SET redeemed = redeemed - 1 WHERE id = ? AND redeemed > 0", couponID)
	return b.err(err)
}

// ExpireCoupon implements billing.Tx.
func (b billingQ) ExpireCoupon(ctx context.Context, couponID string, at time.Time) error {
	_, err := b.q.exec(ctx, "UPDATE billing_coupons SET expires_at = ? WHERE id = ? AND expires_at > ?",
		ms(at), couponID, ms(at))
	return b.err(err)
}
