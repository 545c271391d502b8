package billinghttp

import (
	"time"

	"github.com/lectern/lectern/billing"
)

// The JSON shapes of billing's answers. Amounts are integers in the
// currency's minor units; "display" strings are for people.

type priceView struct {
	CourseID             string   `json:"course_id"`
	Free                 bool     `json:"free"`
	Amount               int64    `json:"amount"`
	Currency             string   `json:"currency,omitempty"`
	Display              string   `json:"display,omitempty"`
	RefundWindowDays     int      `json:"refund_window_days"`
	RefundLessonsPercent int      `json:"refund_lessons_percent"`
	FreePreviewLessons   []string `json:"free_preview_lessons"`
	Owned                *bool    `json:"owned,omitempty"`
}

func viewPrice(p billing.Price, free []string) priceView {
	v := priceView{CourseID: p.CourseID, Free: p.Free(), Amount: p.Amount, Currency: p.Currency,
		RefundWindowDays: int(p.RefundWindow / (24 * time.Hour)), RefundLessonsPercent: p.RefundLessonsPercent,
		FreePreviewLessons: free}
	if v.FreePreviewLessons == nil {
		v.FreePreviewLessons = []string{}
	}
	if !p.Free() {
		v.Display = p.Money.String()
	}
	return v
}

type couponView struct {
	ID             string    `json:"id"`
	Code           string    `json:"code"`
	CourseID       string    `json:"course_id,omitempty"`
	PercentOff     int       `json:"percent_off,omitempty"`
	AmountOff      int64     `json:"amount_off,omitempty"`
	Currency       string    `json:"currency,omitempty"`
	ExpiresAt      time.Time `json:"expires_at"`
	MaxRedemptions int       `json:"max_redemptions"`
	Redeemed       int       `json:"redeemed"`
	CreatedAt      time.Time `json:"created_at"`
}

func viewCoupon(c billing.Coupon) couponView {
	return couponView{ID: c.ID, Code: c.Code, CourseID: c.CourseID, PercentOff: c.PercentOff,
		AmountOff: c.AmountOff.Amount, Currency: c.AmountOff.Currency, ExpiresAt: c.ExpiresAt,
		MaxRedemptions: c.MaxRedemptions, Redeemed: c.Redeemed, CreatedAt: c.CreatedAt}
}

type orderView struct {
	ID          string         `json:"id"`
	CourseID    string         `json:"course_id"`
	CourseTitle string         `json:"course_title"`
	AccountID   string         `json:"account_id"`
	Status      billing.Status `json:"status"`
	Currency    string         `json:"currency"`
	ListAmount  int64          `json:"list_amount"`
	Discount    int64          `json:"discount"`
	Amount      int64          `json:"amount"`
	Refunded    int64          `json:"refunded"`
	Display     string         `json:"display"`
	Coupon      string         `json:"coupon,omitempty"`
	Provider    string         `json:"provider"`
	Method      string         `json:"method,omitempty"`
	CheckoutURL string         `json:"checkout_url,omitempty"`
	CreatedAt   time.Time      `json:"created_at"`
	ExpiresAt   time.Time      `json:"expires_at"`
	PaidAt      *time.Time     `json:"paid_at,omitempty"`
}

func viewOrder(o billing.Order) orderView {
	v := orderView{ID: o.ID, CourseID: o.CourseID, CourseTitle: o.CourseTitle, AccountID: o.AccountID,
		Status: o.Status, Currency: o.Currency, ListAmount: o.ListAmount, Discount: o.Discount,
		Amount: o.Amount, Refunded: o.Refunded, Display: o.Money().String(), Coupon: o.CouponCode,
		Provider: o.Provider, Method: o.Method, CreatedAt: o.CreatedAt, ExpiresAt: o.ExpiresAt}
	if o.Status == billing.StatusPending {
		v.CheckoutURL = o.CheckoutURL
	}
	if !o.PaidAt.IsZero() {
		t := o.PaidAt
		v.PaidAt = &t
	}
	return v
}

type ledgerView struct {
	Seq      int                `json:"seq"`
	Kind     billing.LedgerKind `json:"kind"`
	Amount   int64              `json:"amount"`
	Currency string             `json:"currency"`
	At       time.Time          `json:"at"`
	Ref      string             `json:"ref,omitempty"`
	Note     string             `json:"note,omitempty"`
}

type refundView struct {
	ID          string               `json:"id"`
	OrderID     string               `json:"order_id"`
	CourseID    string               `json:"course_id"`
	AccountID   string               `json:"account_id"`
	Status      billing.RefundStatus `json:"status"`
	Requested   int64                `json:"requested"`
	Amount      int64                `json:"amount"`
	Currency    string               `json:"currency"`
	Reason      string               `json:"reason,omitempty"`
	Note        string               `json:"note,omitempty"`
	CreatedAt   time.Time            `json:"created_at"`
	DecidedAt   *time.Time           `json:"decided_at,omitempty"`
	CompletedAt *time.Time           `json:"completed_at,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func viewRefund(r billing.Refund) refundView {
	return refundView{ID: r.ID, OrderID: r.OrderID, CourseID: r.CourseID, AccountID: r.AccountID,
		Status: r.Status, Requested: r.Requested, Amount: r.Amount, Currency: r.Currency, Reason: r.Reason,
		Note: r.Note, CreatedAt: r.CreatedAt, DecidedAt: timePtr(r.DecidedAt), CompletedAt: timePtr(r.CompletedAt)}
}

type receiptView struct {
	orderView
	Ledger  []ledgerView `json:"ledger"`
	Refunds []refundView `json:"refunds"`
	// ExtraPayments are second payments of the order, returned
	// automatically.
	ExtraPayments []extraView `json:"extra_payments"`
}

type extraView struct {
	ID          string              `json:"id"`
	Status      billing.ExtraStatus `json:"status"`
	Amount      int64               `json:"amount"`
	Currency    string              `json:"currency"`
	CreatedAt   time.Time           `json:"created_at"`
	CompletedAt *time.Time          `json:"completed_at,omitempty"`
}

func viewReceipt(rc billing.Receipt) receiptView {
	v := receiptView{orderView: viewOrder(rc.Order), Ledger: []ledgerView{}, Refunds: []refundView{}}
	for _, e := range rc.Ledger {
		v.Ledger = append(v.Ledger, ledgerView{Seq: e.Seq, Kind: e.Kind, Amount: e.Money.Amount,
			Currency: e.Money.Currency, At: e.At, Ref: e.Ref, Note: e.Note})
	}
	for _, r := range rc.Refunds {
		v.Refunds = append(v.Refunds, viewRefund(r))
	}
	v.ExtraPayments = make([]extraView, 0, len(rc.Extra))
	for _, x := range rc.Extra {
		v.ExtraPayments = append(v.ExtraPayments, extraView{ID: x.ID, Status: x.Status, Amount: x.Money.Amount,
			Currency: x.Money.Currency, CreatedAt: x.CreatedAt, CompletedAt: timePtr(x.CompletedAt)})
	}
	return v
}

type revenueRowView struct {
	Month       string `json:"month"`
	CourseID    string `json:"course_id"`
	CourseTitle string `json:"course_title"`
	Currency    string `json:"currency"`
	Payments    int    `json:"payments"`
	Gross       int64  `json:"gross"`
	Refunds     int64  `json:"refunds"`
	Net         int64  `json:"net"`
}

type revenueTotalView struct {
	Month    string `json:"month"`
	Currency string `json:"currency"`
	Payments int    `json:"payments"`
	Gross    int64  `json:"gross"`
	Refunds  int64  `json:"refunds"`
	Net      int64  `json:"net"`
}

func viewRevenue(rows []billing.RevenueRow) map[string]any {
	rv := []revenueRowView{}
	for _, r := range rows {
		rv = append(rv, revenueRowView{Month: r.Month, CourseID: r.CourseID, CourseTitle: r.CourseTitle,
			Currency: r.Currency, Payments: r.Payments, Gross: r.Gross, Refunds: r.Refunds, Net: r.Net()})
	}
	tv := []revenueTotalView{}
	for _, t := range billing.Totals(rows) {
		tv = append(tv, revenueTotalView{Month: t.Month, Currency: t.Currency, Payments: t.Payments,
			Gross: t.Gross, Refunds: t.Refunds, Net: t.Gross - t.Refunds})
	}
	return map[string]any{"rows": rv, "totals": tv}
}
