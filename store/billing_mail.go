package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

// The keys of mail sent once per billing event (notify/billingmail).

// receiptKey is the mail key of an order's receipt (as in 0013 and
// UnmailedReceipts).
func receiptKey(orderID string) string { return "receipt:" + orderID }

// refundKey is the mail key of a refund's outcome (as in 0013 and
// UnmailedRefundDecisions).
func refundKey(refundID string, st billing.RefundStatus) string {
	return "refund:" + refundID + ":" + string(st)
}

// UnmailedReceipts lists orders paid at or after since whose receipt is
// not queued yet, oldest payment first, at most limit.
func (s *Store) UnmailedReceipts(ctx context.Context, since time.Time, limit int) ([]billing.Order, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	return s.bq().listOrders(ctx, ` WHERE o.paid_at > 0 AND o.paid_at >= ?
		AND NOT EXISTS (SELECT 1 FROM mail_keys k WHERE k.mail_key = 'receipt:' || o.id)
		ORDER BY o.paid_at, o.id LIMIT ?`, ms(since), limit)
}

// UnmailedRefundDecisions lists refunds declined, completed or failed at
// or after since whose outcome is not mailed yet, oldest first, at most
// limit.
func (s *Store) UnmailedRefundDecisions(ctx context.Context, since time.Time, limit int) ([]billing.Refund, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	var out []billing.Refund
	rs, err := s.db.query(ctx, "SELECT "+refundCols+` FROM billing_refunds r
		WHERE ((r.status = 'declined' AND r.decided_at >= ?) OR (r.status IN ('succeeded', 'failed') AND r.completed_at >= ?))
		AND NOT EXISTS (SELECT 1 FROM mail_keys k WHERE k.mail_key = 'refund:' || r.id || ':' || r.status)
		ORDER BY r.created_at, r.id LIMIT ?`, ms(since), ms(since), limit)
	err = scanAll(rs, err, func(rs rows) error {
		var r refundRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		out = append(out, r.refund())
		return nil
	})
	return out, s.mapErr(err, nil)
}

// QueueReceipt queues the receipt of order orderID (mails and notices)
// unless it was queued before (false).
func (s *Store) QueueReceipt(ctx context.Context, orderID string, at time.Time, mails []classroom.Mail, notices []classroom.Notice) (bool, error) {
	return s.queueKeyed(ctx, receiptKey(orderID), at, mails, notices)
}

// QueueRefundMail queues the mail of refund refundID reaching st unless
// it was queued before (false).
func (s *Store) QueueRefundMail(ctx context.Context, refundID string, st billing.RefundStatus, at time.Time,
	mails []classroom.Mail, notices []classroom.Notice) (bool, error) {
	return s.queueKeyed(ctx, refundKey(refundID, st), at, mails, notices)
}

func (s *Store) queueKeyed(ctx context.Context, key string, at time.Time, mails []classroom.Mail, notices []classroom.Notice) (bool, error) {
	return s.claimQueued(ctx, at, mails, notices,
		"INSERT INTO mail_keys (mail_key, created_at) VALUES (?, ?) ON CONFLICT (mail_key) DO NOTHING", key, ms(at))
}
