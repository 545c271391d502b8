package billing

import (
	"context"
	"net/http"
	"time"

	"github.com/lectern/lectern/classroom"
)

// Provider takes payments. Implementations must be safe for concurrent use.
type Provider interface {
	// Name is the provider's name in URLs and orders: "dev", "stripe".
	Name() string
	// StartCheckout opens the payer's checkout for a pending order. It
	// may be called again for the same order after a failure and must then
	// not open a second one (idempotent per order ID).
	StartCheckout(ctx context.Context, o Order, course classroom.Course) (Checkout, error)
	// CancelCheckout closes an order's checkout so that it cannot be paid
	// any more; best effort.
	CancelCheckout(ctx context.Context, o Order) error
	// ParseWebhook verifies a webhook delivery's signature (ErrSignature)
	// and decodes it.
	ParseWebhook(h http.Header, body []byte) (Event, error)
	// Refund returns amount of o's payment, idempotently per refundID,
	// and returns the provider's reference for it.
	Refund(ctx context.Context, o Order, refundID string, amount int64) (string, error)
}

// Checkout is an order's checkout at the provider.
type Checkout struct {
	Ref string // the provider's ID for it
	URL string // where to send the payer
}

// EventType is what a provider event means for an order.
type EventType string

// The event types billing acts on. Anything else is acknowledged and
// ignored.
const (
	EventPaid    EventType = "paid"    // the payment succeeded
	EventFailed  EventType = "failed"  // the payment failed for good
	EventExpired EventType = "expired" // the checkout expired unpaid
	EventIgnored EventType = "ignored" // nothing to do
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
	Money       Money // what was paid (EventPaid)
	Created     time.Time
}
