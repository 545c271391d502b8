package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

const orderCols = `o.id, o.account_id, o.course_id, c.title, o.teacher_id, o.status, o.list_amount,
	o.discount, o.amount, o.currency, o.coupon_id, o.coupon_code, o.idempotency_key, o.request_hash,
	o.provider, o.method, o.checkout_ref, o.checkout_url, o.payment_ref, o.refunded, o.refund_pending, o.version,
	o.created_at, o.updated_at, o.expires_at, o.paid_at`

const orderFrom = ` FROM billing_orders o JOIN courses c ON c.id = o.course_id`

type orderRow struct {
	o                               billing.Order
	status                          string
	created, updated, expires, paid int64
}

func (r *orderRow) dest() []any {
	o := &r.o
	return []any{&o.ID, &o.AccountID, &o.CourseID, &o.CourseTitle, &o.TeacherID, &r.status, &o.ListAmount,
		&o.Discount, &o.Amount, &o.Currency, &o.CouponID, &o.CouponCode, &o.IdempotencyKey, &o.RequestHash,
		&o.Provider, &o.Method, &o.CheckoutRef, &o.CheckoutURL, &o.PaymentRef, &o.Refunded, &o.RefundPending, &o.Version,
		&r.created, &r.updated, &r.expires, &r.paid}
}

func (r *orderRow) order() billing.Order {
	r.o.Status = billing.Status(r.status)
	r.o.CreatedAt, r.o.UpdatedAt = fromMS(r.created), fromMS(r.updated)
	r.o.ExpiresAt, r.o.PaidAt = fromMS(r.expires), fromMS(r.paid)
	return r.o
}

func (b billingQ) oneOrder(ctx context.Context, where string, args ...any) (billing.Order, error) {
	var r orderRow
	err := b.q.queryRow(ctx, "SELECT "+orderCols+orderFrom+" WHERE "+where, r.dest(), args...)
	return r.order(), b.err(err)
}

// Order implements billing.Reader.
func (s *Store) Order(ctx context.Context, id string) (billing.Order, error) {
	return s.bq().Order(ctx, id)
}

func (b billingQ) Order(ctx context.Context, id string) (billing.Order, error) {
	return b.oneOrder(ctx, "o.id = ?", id)
}

// OrderByKey implements billing.Reader.
func (s *Store) OrderByKey(ctx context.Context, accountID, key string) (billing.Order, error) {
	return s.bq().OrderByKey(ctx, accountID, key)
}

func (b billingQ) OrderByKey(ctx context.Context, accountID, key string) (billing.Order, error) {
	return b.oneOrder(ctx, "o.account_id = ? AND o.idempotency_key = ?", accountID, key)
}

// PendingOrder implements billing.Reader.
func (s *Store) PendingOrder(ctx context.Context, accountID, courseID string) (billing.Order, error) {
	return s.bq().PendingOrder(ctx, accountID, courseID)
}

func (b billingQ) PendingOrder(ctx context.Context, accountID, courseID string) (billing.Order, error) {
	return b.oneOrder(ctx, "o.account_id = ? AND o.course_id = ? AND o.status = 'pending'", accountID, courseID)
}

func (b billingQ) listOrders(ctx context.Context, q string, args ...any) ([]billing.Order, error) {
	var out []billing.Order
	rs, err := b.q.query(ctx, "SELECT "+orderCols+orderFrom+q, args...)
	err = scanAll(rs, err, func(rs rows) error {
		var r orderRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		out = append(out, r.order())
		return nil
	})
	return out, b.err(err)
}

// ListOrders implements billing.Reader.
func (s *Store) ListOrders(ctx context.Context, q billing.OrderQuery) ([]billing.Order, error) {
	return s.bq().ListOrders(ctx, q)
}

func (b billingQ) ListOrders(ctx context.Context, q billing.OrderQuery) ([]billing.Order, error) {
	limit, offset := pageArgs(q.Page)
	where, args := " WHERE 1 = 1", []any{}
	if q.AccountID != "" {
		where += " AND o.account_id = ?"
		args = append(args, q.AccountID)
	}
	if q.CourseID != "" {
		where += " AND o.course_id = ?"
		args = append(args, q.CourseID)
	}
	return b.listOrders(ctx, where+" ORDER BY o.created_at DESC, o.id LIMIT ? OFFSET ?", append(args, limit, offset)...)
}

// ExpiredOrders implements billing.Reader.
func (s *Store) ExpiredOrders(ctx context.Context, t time.Time, limit int) ([]billing.Order, error) {
	return s.bq().ExpiredOrders(ctx, t, limit)
}

func (b billingQ) ExpiredOrders(ctx context.Context, t time.Time, limit int) ([]billing.Order, error) {
	return b.listOrders(ctx, " WHERE o.status = 'pending' AND o.expires_at < ? ORDER BY o.expires_at, o.id LIMIT ?",
		ms(t), limit)
}

// OrderByPaymentRef implements billing.Reader.
func (s *Store) OrderByPaymentRef(ctx context.Context, provider, ref string) (billing.Order, error) {
	return s.bq().OrderByPaymentRef(ctx, provider, ref)
}

func (b billingQ) OrderByPaymentRef(ctx context.Context, provider, ref string) (billing.Order, error) {
	return b.oneOrder(ctx, "o.provider = ? AND o.payment_ref = ? AND o.payment_ref <> ''", provider, ref)
}

// OrdersToReconcile implements billing.Reader.
func (s *Store) OrdersToReconcile(ctx context.Context, provider string, from, to time.Time, after billing.OrderCursor, limit int) ([]billing.Order, error) {
	return s.bq().OrdersToReconcile(ctx, provider, from, to, after, limit)
}

func (b billingQ) OrdersToReconcile(ctx context.Context, provider string, from, to time.Time, after billing.OrderCursor, limit int) ([]billing.Order, error) {
	return b.listOrders(ctx, ` WHERE o.status IN ('pending', 'expired') AND o.provider = ?
		AND o.created_at >= ? AND o.created_at < ? AND (o.created_at > ? OR (o.created_at = ? AND o.id > ?))
		ORDER BY o.created_at, o.id LIMIT ?`,
		provider, ms(from), ms(to), ms(after.CreatedAt), ms(after.CreatedAt), after.ID, limit)
}

func (b billingQ) InsertOrder(ctx context.Context, o billing.Order) error {
	_, err := b.q.exec(ctx, `INSERT INTO billing_orders (id, account_id, course_id, teacher_id, status,
		list_amount, discount, amount, currency, coupon_id, coupon_code, idempotency_key, request_hash,
		provider, method, checkout_ref, checkout_url, payment_ref, refunded, refund_pending, version,
		created_at, updated_at, expires_at, paid_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.AccountID, o.CourseID, o.TeacherID, string(o.Status), o.ListAmount, o.Discount, o.Amount,
		o.Currency, o.CouponID, o.CouponCode, o.IdempotencyKey, o.RequestHash, o.Provider, o.Method, o.CheckoutRef,
		o.CheckoutURL, o.PaymentRef, o.Refunded, o.RefundPending, o.Version,
		ms(o.CreatedAt), ms(o.UpdatedAt), ms(o.ExpiresAt), ms(o.PaidAt))
	return b.err(err)
}

func (b billingQ) UpdateOrder(ctx context.Context, o billing.Order) error {
	n, err := b.q.exec(ctx, `UPDATE billing_orders SET status = ?, checkout_ref = ?, checkout_url = ?,
		payment_ref = ?, refunded = ?, refund_pending = ?, version = ?, updated_at = ?, paid_at = ?
		WHERE id = ? AND version = ?`,
		string(o.Status), o.CheckoutRef, o.CheckoutURL, o.PaymentRef, o.Refunded, o.RefundPending,
		o.Version, ms(o.UpdatedAt), ms(o.PaidAt), o.ID, o.Version-1)
	if err != nil {
		return b.err(err)
	}
	if n == 0 {
		return classroom.ErrConflict
	}
	return nil
}

// --- ledger

const ledgerCols = `order_id, seq, kind, amount, currency, course_id, teacher_id, account_id, at,
	ref, actor_id, note`

func (b billingQ) AppendLedger(ctx context.Context, e billing.LedgerEntry) error {
	var last int64
	if err := b.q.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM billing_ledger WHERE order_id = ?",
		[]any{&last}, e.OrderID); err != nil {
		return b.err(err)
	}
	_, err := b.q.exec(ctx, `INSERT INTO billing_ledger (`+ledgerCols+`, month)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.OrderID, last+1, string(e.Kind), e.Money.Amount, e.Money.Currency, e.CourseID, e.TeacherID,
		e.AccountID, ms(e.At), e.Ref, e.ActorID, e.Note, billing.Month(e.At))
	return b.err(err)
}

// Ledger implements billing.Reader.
func (s *Store) Ledger(ctx context.Context, orderID string) ([]billing.LedgerEntry, error) {
	return s.bq().Ledger(ctx, orderID)
}

func (b billingQ) Ledger(ctx context.Context, orderID string) ([]billing.LedgerEntry, error) {
	var out []billing.LedgerEntry
	rs, err := b.q.query(ctx, "SELECT "+ledgerCols+" FROM billing_ledger WHERE order_id = ? ORDER BY seq", orderID)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			e       billing.LedgerEntry
			seq, at int64
			kind    string
		)
		if err := rs.Scan(&e.OrderID, &seq, &kind, &e.Money.Amount, &e.Money.Currency, &e.CourseID,
			&e.TeacherID, &e.AccountID, &at, &e.Ref, &e.ActorID, &e.Note); err != nil {
			return err
		}
		e.Seq, e.Kind, e.At = int(seq), billing.LedgerKind(kind), fromMS(at)
		out = append(out, e)
		return nil
	})
	return out, b.err(err)
}

// --- provider events

func (b billingQ) RecordEvent(ctx context.Context, provider, eventID, eventType string, at time.Time) (bool, error) {
	n, err := b.q.exec(ctx, `INSERT INTO billing_events (provider, event_id, type, received_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (provider, event_id) DO NOTHING`, provider, eventID, eventType, ms(at))
	return n == 1, b.err(err)
}

func (b billingQ) SetEventOutcome(ctx context.Context, provider, eventID, orderID, outcome string) error {
	_, err := b.q.exec(ctx, "UPDATE billing_events SET order_id = ?, outcome = ? WHERE provider = ? AND event_id = ?",
		orderID, outcome, provider, eventID)
	return b.err(err)
}

// --- entitlements

// Entitlement implements billing.Reader.
func (s *Store) Entitlement(ctx context.Context, accountID, courseID string) (billing.Entitlement, error) {
	return s.bq().Entitlement(ctx, accountID, courseID)
}

func (b billingQ) Entitlement(ctx context.Context, accountID, courseID string) (billing.Entitlement, error) {
	var (
		e                billing.Entitlement
		granted, revoked int64
	)
	err := b.q.queryRow(ctx, `SELECT account_id, course_id, order_id, granted_at, revoked_at
		FROM billing_entitlements WHERE account_id = ? AND course_id = ?`,
		[]any{&e.AccountID, &e.CourseID, &e.OrderID, &granted, &revoked}, accountID, courseID)
	e.GrantedAt, e.RevokedAt = fromMS(granted), fromMS(revoked)
	return e, b.err(err)
}

func (b billingQ) Grant(ctx context.Context, e billing.Entitlement) error {
	if _, err := b.q.exec(ctx, `INSERT INTO billing_entitlements (account_id, course_id, order_id, granted_at, revoked_at)
		VALUES (?, ?, ?, ?, 0)
		ON CONFLICT (account_id, course_id) DO UPDATE SET order_id = excluded.order_id,
		granted_at = excluded.granted_at, revoked_at = 0 WHERE billing_entitlements.revoked_at <> 0`,
		e.AccountID, e.CourseID, e.OrderID, ms(e.GrantedAt)); err != nil {
		return b.err(err)
	}
	_, err := b.q.exec(ctx, `INSERT INTO enrolments (course_id, account_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (course_id, account_id) DO NOTHING`, e.CourseID, e.AccountID, ms(e.GrantedAt))
	return b.err(err)
}

func (b billingQ) Revoke(ctx context.Context, accountID, courseID, orderID string, at time.Time) error {
	_, err := b.q.exec(ctx, `UPDATE billing_entitlements SET revoked_at = ?
		WHERE account_id = ? AND course_id = ? AND order_id = ? AND revoked_at = 0`,
		ms(at), accountID, courseID, orderID)
	return b.err(err)
}
