package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

const extraCols = `id, order_id, provider, payment_ref, event_id, amount, currency, status, refund_ref, note,
	created_at, completed_at`

type extraRow struct {
	p                  billing.ExtraPayment
	status             string
	created, completed int64
}

func (r *extraRow) dest() []any {
	p := &r.p
	return []any{&p.ID, &p.OrderID, &p.Provider, &p.PaymentRef, &p.EventID, &p.Money.Amount, &p.Money.Currency,
		&r.status, &p.RefundRef, &p.Note, &r.created, &r.completed}
}

func (r *extraRow) extra() billing.ExtraPayment {
	r.p.Status = billing.ExtraStatus(r.status)
	r.p.CreatedAt, r.p.CompletedAt = fromMS(r.created), fromMS(r.completed)
	return r.p
}

func (b billingQ) InsertExtraPayment(ctx context.Context, p billing.ExtraPayment) (bool, error) {
	n, err := b.q.exec(ctx, `INSERT INTO billing_extra_payments (`+extraCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (provider, payment_ref) DO NOTHING`,
		p.ID, p.OrderID, p.Provider, p.PaymentRef, p.EventID, p.Money.Amount, p.Money.Currency,
		string(p.Status), p.RefundRef, p.Note, ms(p.CreatedAt), ms(p.CompletedAt))
	return n == 1, b.err(err)
}

func (b billingQ) UpdateExtraPayment(ctx context.Context, p billing.ExtraPayment, prev billing.ExtraStatus) error {
	n, err := b.q.exec(ctx, `UPDATE billing_extra_payments SET status = ?, refund_ref = ?, note = ?, completed_at = ?
		WHERE id = ? AND status = ?`, string(p.Status), p.RefundRef, p.Note, ms(p.CompletedAt), p.ID, string(prev))
	if err != nil {
		return b.err(err)
	}
	if n == 0 {
		return classroom.ErrConflict
	}
	return nil
}

// ExtraPayment implements billing.Reader.
func (s *Store) ExtraPayment(ctx context.Context, id string) (billing.ExtraPayment, error) {
	return s.bq().ExtraPayment(ctx, id)
}

func (b billingQ) ExtraPayment(ctx context.Context, id string) (billing.ExtraPayment, error) {
	var r extraRow
	err := b.q.queryRow(ctx, "SELECT "+extraCols+" FROM billing_extra_payments WHERE id = ?", r.dest(), id)
	return r.extra(), b.err(err)
}

// ExtraPayments implements billing.Reader.
func (s *Store) ExtraPayments(ctx context.Context, orderID string, st billing.ExtraStatus, limit int) ([]billing.ExtraPayment, error) {
	return s.bq().ExtraPayments(ctx, orderID, st, limit)
}

func (b billingQ) ExtraPayments(ctx context.Context, orderID string, st billing.ExtraStatus, limit int) ([]billing.ExtraPayment, error) {
	where, args := " WHERE 1 = 1", []any{}
	if orderID != "" {
		where, args = where+" AND order_id = ?", append(args, orderID)
	}
	if st != "" {
		where, args = where+" AND status = ?", append(args, string(st))
	}
	var out []billing.ExtraPayment
	rs, err := b.q.query(ctx, "SELECT "+extraCols+" FROM billing_extra_payments"+where+
		" ORDER BY created_at, id LIMIT ?", append(args, limit)...)
	err = scanAll(rs, err, func(rs rows) error {
		var r extraRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		out = append(out, r.extra())
		return nil
	})
	return out, b.err(err)
}

func (b billingQ) InsertNotice(ctx context.Context, n classroom.Notice) error {
	return b.err(insertNotices(ctx, b.q, []classroom.Notice{n}))
}

// WeChatOpenID implements billing.Reader.
func (s *Store) WeChatOpenID(ctx context.Context, accountID, appID string) (string, error) {
	return s.bq().WeChatOpenID(ctx, accountID, appID)
}

func (b billingQ) WeChatOpenID(ctx context.Context, accountID, appID string) (string, error) {
	var openID string
	err := b.q.queryRow(ctx, "SELECT openid FROM billing_wechat_openids WHERE account_id = ? AND app_id = ?",
		[]any{&openID}, accountID, appID)
	return openID, b.err(err)
}

func (b billingQ) PutWeChatOpenID(ctx context.Context, accountID, appID, openID string, at time.Time) error {
	_, err := b.q.exec(ctx, `INSERT INTO billing_wechat_openids (account_id, app_id, openid, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id, app_id) DO UPDATE SET openid = excluded.openid, updated_at = excluded.updated_at`,
		accountID, appID, openID, ms(at))
	return b.err(err)
}

// AppendAudit implements billing.Tx: the entry commits with the change.
func (b billingQ) AppendAudit(ctx context.Context, e classroom.AuditEntry) error {
	return b.err(appendAudit(ctx, b.q, e))
}
