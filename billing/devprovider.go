package billing

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/publicurl"
	"github.com/stripe/stripe-go/v82/webhook"
)

// DevSignatureHeader carries a dev-provider webhook's signature, in
// Stripe's scheme: "t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">".
const DevSignatureHeader = "Lectern-Signature"

// DevEvent is the body of a dev-provider webhook, and what the dev
// checkout page's buttons produce.
type DevEvent struct {
	ID         string `json:"id"`
	Type       string `json:"type"` // "payment.succeeded", "payment.failed", "checkout.expired", …
	OrderID    string `json:"order_id"`
	Amount     int64  `json:"amount"`
	Currency   string `json:"currency"`
	PaymentRef string `json:"payment_ref"`
	Created    int64  `json:"created"`
}

// devProvider is the provider for local use and tests: its checkout is a
// page served by Lectern whose buttons succeed or fail the payment, and
// its webhooks are signed with a shared secret like Stripe's.
type devProvider struct {
	baseURL   string
	secret    string
	tolerance time.Duration
}

func (p *devProvider) Name() string { return "dev" }

func (p *devProvider) StartCheckout(ctx context.Context, o Order, _ classroom.Course) (Checkout, error) {
	base := publicurl.From(ctx, p.baseURL)
	return Checkout{Ref: "dev_cs_" + o.ID, URL: base + "/api/v1/billing/dev/checkout/" + o.ID}, nil
}

func (p *devProvider) CancelCheckout(context.Context, Order) error { return nil }

func (p *devProvider) Refund(_ context.Context, _ Order, refundID string, _ int64) (string, error) {
	return "dev_re_" + refundID, nil
}

func (p *devProvider) ParseWebhook(h http.Header, body []byte) (Event, error) {
	if err := webhook.ValidatePayloadWithTolerance(body, h.Get(DevSignatureHeader), p.secret, p.tolerance); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	var de DevEvent
	if err := json.Unmarshal(body, &de); err != nil || de.ID == "" {
		return Event{}, invalid("body", "is not a dev event")
	}
	return de.event(), nil
}

func (de DevEvent) event() Event {
	ev := Event{Provider: "dev", ID: de.ID, RawType: de.Type, OrderID: de.OrderID,
		CheckoutRef: "dev_cs_" + de.OrderID, PaymentRef: de.PaymentRef,
		Money: Money{Amount: de.Amount, Currency: strings.ToUpper(de.Currency)}, Created: time.Unix(de.Created, 0)}
	switch de.Type {
	case "payment.succeeded":
		ev.Type = EventPaid
	case "payment.failed":
		ev.Type = EventFailed
	case "checkout.expired":
		ev.Type = EventExpired
	default:
		ev.Type = EventIgnored
	}
	return ev
}

// NewDevEvent returns a dev event of type typ paying o in full.
func NewDevEvent(o Order, typ string, now time.Time) DevEvent {
	return DevEvent{ID: "dev_evt_" + uuid.NewString(), Type: typ, OrderID: o.ID, Amount: o.Amount,
		Currency: o.Currency, PaymentRef: "dev_pi_" + o.ID, Created: now.Unix()}
}

// SignDevEvent signs a dev webhook body with secret at t, returning the
// DevSignatureHeader value.
func SignDevEvent(body []byte, secret string, t time.Time) string {
	return fmt.Sprintf("t=%d,v1=%s", t.Unix(), hex.EncodeToString(webhook.ComputeSignature(t, body, secret)))
}
