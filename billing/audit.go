package billing

import (
	"context"
	"time"
)

// originKey keys the client address in a request's context.
type originKey struct{}

// WithOrigin returns ctx carrying the address the request came from, which
// the audit entries of price changes and refund decisions record
// (classroom.NewAuditEntry, as every other audited door).
func WithOrigin(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, originKey{}, ip)
}

// origin is the address WithOrigin put in ctx ("" if none).
func origin(ctx context.Context) string {
	ip, _ := ctx.Value(originKey{}).(string)
	return ip
}

// priceAudit is a course's price as the audit log shows it; a free course
// has amount 0.
type priceAudit struct {
	Amount               int64  `json:"amount"`
	Currency             string `json:"currency,omitempty"`
	RefundWindowDays     int    `json:"refund_window_days,omitempty"`
	RefundLessonsPercent int    `json:"refund_lessons_percent,omitempty"`
}

func auditPrice(p Price, ok bool) priceAudit {
	if !ok {
		return priceAudit{}
	}
	return priceAudit{Amount: p.Amount, Currency: p.Currency, RefundWindowDays: int(p.RefundWindow / (24 * time.Hour)),
		RefundLessonsPercent: p.RefundLessonsPercent}
}

// refundAudit is a refund as the audit log shows it.
type refundAudit struct {
	Order     string       `json:"order_id"`
	Buyer     string       `json:"account_id"`
	Status    RefundStatus `json:"status"`
	Requested int64        `json:"requested,omitempty"`
	Amount    int64        `json:"amount,omitempty"`
	Currency  string       `json:"currency"`
	Note      string       `json:"note,omitempty"`
}

func auditRefund(r Refund) refundAudit {
	return refundAudit{Order: r.OrderID, Buyer: r.AccountID, Status: r.Status, Requested: r.Requested,
		Amount: r.Amount, Currency: r.Currency, Note: r.Note}
}
