package billing

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/lectern/lectern/classroom"
)

// Provider takes payments. Each lives in its own package (billing/devpay,
// billing/stripe, billing/wechatpay, billing/alipay); several may be
// enabled at once and the buyer chooses among them at checkout.
// Implementations must be safe for concurrent use.
type Provider interface {
	// Name is the provider's name in URLs and orders: "dev", "stripe",
	// "wechatpay", "alipay".
	Name() string
	// Methods lists the checkout methods the provider offers, the first
	// being the default: "native" (a QR code), "h5", "page", "wap", …
	Methods() []string
	// Currencies lists the ISO 4217 codes the provider takes; nil for any.
	Currencies() []string
	// StartCheckout opens the payer's checkout for a pending order with
	// the order's method. It may be called again for the same order
	// after a failure and must then not open a second one (idempotent
	// per order ID).
	StartCheckout(ctx context.Context, o Order, course classroom.Course, client CheckoutClient) (Checkout, error)
	// CancelCheckout closes an order's checkout so that it cannot be paid
	// any more; best effort.
	CancelCheckout(ctx context.Context, o Order) error
	// ParseWebhook verifies a notification's signature with the
	// provider's keys (ErrSignature) before reading anything of it, then
	// decodes it.
	ParseWebhook(h http.Header, body []byte) (Event, error)
	// Refund returns amount of o's payment, idempotently per refundID,
	// and returns the provider's reference for it. An error wrapping
	// ErrOutcomeUnknown (a timeout, a refund the provider is still
	// processing) leaves the refund open, to be asked again.
	Refund(ctx context.Context, o Order, refundID string, amount int64) (string, error)
	// Acknowledge answers a notification in the provider's expected
	// format: err is nil when the notification was applied (out says
	// how) or need not be resent.
	Acknowledge(w http.ResponseWriter, out Outcome, err error)
}

// Querier is a provider that can be asked what became of a payment, for
// reconciliation when a notification was lost.
type Querier interface {
	// QueryPayment asks the provider about o's payment: an EventPaid
	// event (with ID unique to the payment) when it was paid, EventExpired
	// when the provider closed it, EventIgnored while it is still open.
	QueryPayment(ctx context.Context, o Order) (Event, error)
}

// CheckoutClient is what the provider may need to know of the buyer's
// device: its IP address (WeChat Pay's H5 checkout asks for it), and the
// buyer's openid for the provider's app (WeChat Pay's JSAPI checkout).
type CheckoutClient struct {
	IP     string
	OpenID string
}

// Checkout is an order's checkout at the provider.
type Checkout struct {
	Ref string // the provider's ID for it
	// URL is where to send the payer; for a QR-code method ("native")
	// the content of the code to show.
	URL string
}

// EventType is what a provider event means for an order.
type EventType string

// The event types billing acts on. Anything else is acknowledged and
// ignored.
const (
	EventPaid     EventType = "paid"     // the payment succeeded
	EventFailed   EventType = "failed"   // the payment failed for good
	EventExpired  EventType = "expired"  // the checkout expired unpaid
	EventRefunded EventType = "refunded" // money was returned at the provider (e.g. from its dashboard)
	// EventRefundSucceeded and EventRefundFailed are the provider's final
	// word on a refund Lectern asked for (Event.RefundID): WeChat Pay's
	// REFUND.SUCCESS, and REFUND.ABNORMAL or REFUND.CLOSED.
	EventRefundSucceeded EventType = "refund_succeeded"
	EventRefundFailed    EventType = "refund_failed"
	EventIgnored         EventType = "ignored" // nothing to do
)

// Event is a provider's webhook event, decoded.
type Event struct {
	Provider    string
	ID          string // the provider's event ID, for deduplication
	RawType     string // the provider's own type name
	Type        EventType
	OrderID     string
	CheckoutRef string
	PaymentRef  string
	// RefundID is Lectern's refund (EventRefundSucceeded, EventRefundFailed)
	// and RefundRef the provider's ID for it.
	RefundID  string
	RefundRef string
	// Money is what was paid (EventPaid), the total refunded so far at
	// the provider (EventRefunded), or the refund's amount
	// (EventRefundSucceeded, EventRefundFailed).
	Money   Money
	Created time.Time
}

// Supports reports whether p takes payments in currency.
func Supports(p Provider, currency string) bool {
	cs := p.Currencies()
	if cs == nil {
		return true
	}
	for _, c := range cs {
		if c == currency {
			return true
		}
	}
	return false
}

// HasMethod reports whether p offers checkout method m.
func HasMethod(p Provider, m string) bool {
	for _, x := range p.Methods() {
		if x == m {
			return true
		}
	}
	return false
}

// AckJSON answers a notification as Stripe expects (and the dev
// provider): 200 with {"received": true}, or an error status with a JSON
// {code, message} the sender may log, 5xx asking it to retry.
func AckJSON(w http.ResponseWriter, out Outcome, err error) {
	w.Header().Set("Content-Type", "application/json")
	status, code, msg := AckStatus(err)
	w.WriteHeader(status)
	if err == nil {
		b, _ := json.Marshal(map[string]any{"received": true, "outcome": out})
		_, _ = w.Write(append(b, '\n'))
		return
	}
	b, _ := json.Marshal(map[string]string{"code": code, "message": msg})
	_, _ = w.Write(append(b, '\n'))
}

// AckStatus is the HTTP status, code and message a notification's
// outcome err deserves: 200 for nil, 400 for a bad signature or body (the
// sender should not retry it as it is), 500 otherwise (retry).
func AckStatus(err error) (int, string, string) {
	switch {
	case err == nil:
		return http.StatusOK, "SUCCESS", ""
	case errors.Is(err, ErrSignature):
		return http.StatusBadRequest, "bad_signature", "signature invalid"
	case errors.Is(err, classroom.ErrInvalid):
		return http.StatusUnprocessableEntity, "invalid_input", err.Error()
	case errors.Is(err, ErrUnknownProvider):
		return http.StatusNotFound, "not_found", "unknown provider"
	}
	return http.StatusInternalServerError, "retry", "could not be applied; retry"
}
