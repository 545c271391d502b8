// Package devpay is the test payment provider: a checkout page served by
// Lectern whose buttons pay or fail an order, and webhooks signed with a
// shared secret in Stripe's scheme. No money moves; it is enabled only
// explicitly (--payment-provider dev).
//
// devpay imports billing and nothing of Lectern's HTTP layer.
package devpay

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/lectern/lectern/billing"
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

// Provider is the provider for local use and tests: its checkout is a
// page served by Lectern (package billinghttp) whose buttons succeed or
// fail the payment, and its webhooks are signed with a shared secret like
// Stripe's. No money moves.
type Provider struct {
	baseURL   string
	secret    string
	tolerance time.Duration
}

// Config configures the dev provider.
type Config struct {
	// BaseURL is the public origin, for the checkout page's link.
	BaseURL string
	// WebhookSecret signs webhooks ("": a random secret per process, so
	// only the in-process checkout page can pay).
	WebhookSecret string
	// Tolerance is how old a webhook signature may be (default 5m).
	Tolerance time.Duration
}

// New returns the dev provider.
func New(cfg Config) *Provider {
	secret := cfg.WebhookSecret
	if secret == "" {
		var b [32]byte
		rand.Read(b[:])
		secret = hex.EncodeToString(b[:])
	}
	return &Provider{baseURL: strings.TrimRight(cfg.BaseURL, "/"), secret: secret,
		tolerance: cmp.Or(cfg.Tolerance, 5*time.Minute)}
}

// Name is "dev".
func (p *Provider) Name() string { return "dev" }

// Methods offers the checkout page, and the same page behind a QR code
// ("native", as WeChat Pay's), to try the QR-code flow with a phone.
func (p *Provider) Methods() []string { return []string{"page", "native"} }

// Currencies is any.
func (p *Provider) Currencies() []string { return nil }

// Acknowledge answers in JSON, as Stripe's endpoint does.
func (p *Provider) Acknowledge(w http.ResponseWriter, out billing.Outcome, err error) {
	billing.AckJSON(w, out, err)
}

// StartCheckout links to the checkout page, on the public URL the buyer
// reached (internal/publicurl).
func (p *Provider) StartCheckout(ctx context.Context, o billing.Order, _ classroom.Course, _ billing.CheckoutClient) (billing.Checkout, error) {
	base := publicurl.From(ctx, p.baseURL)
	return billing.Checkout{Ref: "dev_cs_" + o.ID, URL: base + "/api/v1/billing/dev/checkout/" + o.ID}, nil
}

// CancelCheckout has nothing to close.
func (p *Provider) CancelCheckout(context.Context, billing.Order) error { return nil }

// Refund always succeeds.
func (p *Provider) Refund(_ context.Context, _ billing.Order, refundID string, _ int64) (string, error) {
	return "dev_re_" + refundID, nil
}

// ParseWebhook checks the DevSignatureHeader and decodes a DevEvent.
func (p *Provider) ParseWebhook(h http.Header, body []byte) (billing.Event, error) {
	if err := webhook.ValidatePayloadWithTolerance(body, h.Get(DevSignatureHeader), p.secret, p.tolerance); err != nil {
		return billing.Event{}, fmt.Errorf("%w: %v", billing.ErrSignature, err)
	}
	var de DevEvent
	if err := json.Unmarshal(body, &de); err != nil || de.ID == "" {
		return billing.Event{}, billing.Invalid("body", "is not a dev event")
	}
	return de.Event(), nil
}

// Event is de as billing sees it.
func (de DevEvent) Event() billing.Event {
	ev := billing.Event{Provider: "dev", ID: de.ID, RawType: de.Type, OrderID: de.OrderID,
		CheckoutRef: "dev_cs_" + de.OrderID, PaymentRef: de.PaymentRef,
		Money: billing.Money{Amount: de.Amount, Currency: strings.ToUpper(de.Currency)}, Created: time.Unix(de.Created, 0)}
	switch de.Type {
	case "payment.succeeded":
		ev.Type = billing.EventPaid
	case "payment.failed":
		ev.Type = billing.EventFailed
	case "checkout.expired":
		ev.Type = billing.EventExpired
	default:
		ev.Type = billing.EventIgnored
	}
	return ev
}

// NewDevEvent returns a dev event of type typ paying o in full.
func NewDevEvent(o billing.Order, typ string, now time.Time) DevEvent {
	return DevEvent{ID: "dev_evt_" + uuid.NewString(), Type: typ, OrderID: o.ID, Amount: o.Amount,
		Currency: o.Currency, PaymentRef: "dev_pi_" + o.ID, Created: now.Unix()}
}

// SignDevEvent signs a dev webhook body with secret at t, returning the
// DevSignatureHeader value.
func SignDevEvent(body []byte, secret string, t time.Time) string {
	return fmt.Sprintf("t=%d,v1=%s", t.Unix(), hex.EncodeToString(webhook.ComputeSignature(t, body, secret)))
}
