// Package stripe takes payments through Stripe Checkout (stripe-go/v82):
// one Checkout Session per order, fulfilment only from the signed
// checkout.session.completed webhook, refunds through the Refunds API,
// refunds made in Stripe's dashboard (charge.refunded) reported back.
package stripe

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/lectern/lectern/billing"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/publicurl"
	sg "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/checkout/session"
	"github.com/stripe/stripe-go/v82/refund"
	"github.com/stripe/stripe-go/v82/webhook"
)

// StripeSignatureHeader carries Stripe's webhook signature.
const StripeSignatureHeader = "Stripe-Signature"

// Provider takes payments through Stripe Checkout: one Checkout
// Session per order (created with the order ID as idempotency key and
// client_reference_id), fulfilled only from the signed
// checkout.session.completed (or async_payment_succeeded) webhook, never
// from the success redirect. Refunds go through the Refunds API.
type Provider struct {
	sessions  session.Client
	refunds   refund.Client
	secret    string // webhook signing secret
	baseURL   string
	tolerance time.Duration
}

// Config configures the Stripe provider.
type Config struct {
	// SecretKey (sk_… or rk_…) and WebhookSecret (whsec_…) are required.
	SecretKey     string
	WebhookSecret string
	// APIURL replaces https://api.stripe.com (stripe-mock, tests).
	APIURL string
	// HTTPClient calls Stripe (nil: stripe-go's default).
	HTTPClient *http.Client
	// BaseURL is the public origin, for return links; required.
	BaseURL string
	// Tolerance is how old a webhook signature may be (default 5m).
	Tolerance time.Duration
	// Logger receives stripe-go's warnings; nil discards them.
	Logger *slog.Logger
}

// New returns the Stripe provider for cfg.
func New(cfg Config) (*Provider, error) {
	if cfg.SecretKey == "" || cfg.WebhookSecret == "" {
		return nil, errors.New("billing: the stripe provider needs --stripe-secret-key and --stripe-webhook-secret")
	}
	if cfg.BaseURL == "" {
		return nil, errors.New("billing: the stripe provider needs a public base URL for its return links")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	bc := &sg.BackendConfig{LeveledLogger: stripeLogger{log}, HTTPClient: cfg.HTTPClient}
	if cfg.APIURL != "" {
		bc.URL = sg.String(cfg.APIURL)
	}
	b := sg.GetBackendWithConfig(sg.APIBackend, bc)
	return &Provider{
		sessions:  session.Client{B: b, Key: cfg.SecretKey},
		refunds:   refund.Client{B: b, Key: cfg.SecretKey},
		secret:    cfg.WebhookSecret,
		baseURL:   strings.TrimRight(cfg.BaseURL, "/"),
		tolerance: cmp.Or(cfg.Tolerance, 5*time.Minute),
	}, nil
}

// Methods offers Stripe Checkout's hosted page.
func (p *Provider) Methods() []string { return []string{"page"} }

// Currencies is any (Stripe checks its own list).
func (p *Provider) Currencies() []string { return nil }

// Acknowledge answers in JSON; Stripe retries anything but 2xx.
func (p *Provider) Acknowledge(w http.ResponseWriter, out billing.Outcome, err error) {
	billing.AckJSON(w, out, err)
}

func (p *Provider) Name() string { return "stripe" }

func (p *Provider) StartCheckout(ctx context.Context, o billing.Order, course classroom.Course, _ billing.CheckoutClient) (billing.Checkout, error) {
	base := publicurl.From(ctx, p.baseURL) // the URL the buyer reached
	params := &sg.CheckoutSessionParams{
		Mode:              sg.String(string(sg.CheckoutSessionModePayment)),
		ClientReferenceID: sg.String(o.ID),
		SuccessURL:        sg.String(base + "/purchases/" + o.ID + "?checkout=success"),
		CancelURL:         sg.String(base + "/courses/" + o.CourseID + "?checkout=cancelled"),
		LineItems: []*sg.CheckoutSessionLineItemParams{{
			Quantity: sg.Int64(1),
			PriceData: &sg.CheckoutSessionLineItemPriceDataParams{
				Currency:    sg.String(strings.ToLower(o.Currency)),
				UnitAmount:  sg.Int64(o.Amount),
				ProductData: &sg.CheckoutSessionLineItemPriceDataProductDataParams{Name: sg.String(course.Title)},
			},
		}},
		PaymentIntentData: &sg.CheckoutSessionPaymentIntentDataParams{
			Metadata: map[string]string{"lectern_order": o.ID},
		},
		Metadata: map[string]string{"lectern_order": o.ID},
	}
	// The session expires with the order (Stripe accepts 30 minutes to 24
	// hours). The parameters depend on the order alone, never on the time
	// of the call: a retry under the same idempotency key must send the
	// same request, or Stripe refuses it instead of replaying the first.
	if o.ExpiresAt.Sub(o.CreatedAt) >= 30*time.Minute {
		params.ExpiresAt = sg.Int64(o.ExpiresAt.Unix())
	}
	params.Context = ctx
	params.SetIdempotencyKey("lectern-checkout-" + o.ID)
	s, err := p.sessions.New(params)
	if err != nil {
		return billing.Checkout{}, fmt.Errorf("%w: stripe checkout session: %v", billing.ErrProvider, stripeErr(err))
	}
	return billing.Checkout{Ref: s.ID, URL: s.URL}, nil
}

func (p *Provider) CancelCheckout(ctx context.Context, o billing.Order) error {
	if o.CheckoutRef == "" {
		return nil
	}
	params := &sg.CheckoutSessionExpireParams{}
	params.Context = ctx
	if _, err := p.sessions.Expire(o.CheckoutRef, params); err != nil {
		return fmt.Errorf("%w: stripe expire session: %v", billing.ErrProvider, stripeErr(err))
	}
	return nil
}

func (p *Provider) Refund(ctx context.Context, o billing.Order, refundID string, amount int64) (string, error) {
	if o.PaymentRef == "" {
		return "", fmt.Errorf("%w: order %s has no payment to refund", billing.ErrProvider, o.ID)
	}
	params := &sg.RefundParams{
		PaymentIntent: sg.String(o.PaymentRef),
		Amount:        sg.Int64(amount),
		Metadata:      map[string]string{"lectern_order": o.ID, "lectern_refund": refundID},
	}
	params.Context = ctx
	params.SetIdempotencyKey("lectern-refund-" + refundID)
	r, err := p.refunds.New(params)
	if err != nil {
		return "", fmt.Errorf("%w: stripe refund: %v", billing.ErrProvider, stripeErr(err))
	}
	if r.Status == sg.RefundStatusFailed || r.Status == sg.RefundStatusCanceled {
		return "", fmt.Errorf("%w: stripe refund %s is %s", billing.ErrProvider, r.ID, r.Status)
	}
	return r.ID, nil
}

// ParseWebhook checks the Stripe-Signature header (HMAC-SHA256 with the
// endpoint's signing secret, timestamp within the tolerance) and the
// event's API version, then decodes the Checkout Session events.
func (p *Provider) ParseWebhook(h http.Header, body []byte) (billing.Event, error) {
	e, err := webhook.ConstructEventWithOptions(body, h.Get(StripeSignatureHeader), p.secret,
		webhook.ConstructEventOptions{Tolerance: p.tolerance})
	if err != nil {
		if errors.Is(err, webhook.ErrNotSigned) || errors.Is(err, webhook.ErrInvalidHeader) ||
			errors.Is(err, webhook.ErrNoValidSignature) || errors.Is(err, webhook.ErrTooOld) {
			return billing.Event{}, fmt.Errorf("%w: %v", billing.ErrSignature, err)
		}
		return billing.Event{}, billing.Invalid("body", "is not a Stripe event of API version "+sg.APIVersion)
	}
	if e.ID == "" {
		return billing.Event{}, billing.Invalid("body", "event has no id")
	}
	ev := billing.Event{Provider: "stripe", ID: e.ID, RawType: string(e.Type), Type: billing.EventIgnored,
		Created: time.Unix(e.Created, 0)}
	var typ billing.EventType
	switch e.Type {
	case sg.EventTypeChargeRefunded:
		return p.chargeRefunded(ev, e)
	case sg.EventTypeCheckoutSessionCompleted:
		typ = billing.EventPaid // if its payment_status says so, below
	case sg.EventTypeCheckoutSessionAsyncPaymentSucceeded:
		typ = billing.EventPaid
	case sg.EventTypeCheckoutSessionAsyncPaymentFailed:
		typ = billing.EventFailed
	case sg.EventTypeCheckoutSessionExpired:
		typ = billing.EventExpired
	default:
		return ev, nil
	}
	if e.Data == nil {
		return ev, billing.Invalid("body", "event has no data")
	}
	var s sg.CheckoutSession
	if err := json.Unmarshal(e.Data.Raw, &s); err != nil {
		return ev, billing.Invalid("body", "event data is not a Checkout Session")
	}
	ev.OrderID = s.ClientReferenceID
	if ev.OrderID == "" {
		ev.OrderID = s.Metadata["lectern_order"]
	}
	ev.CheckoutRef = s.ID
	if s.PaymentIntent != nil {
		ev.PaymentRef = s.PaymentIntent.ID
	}
	ev.Money = billing.Money{Amount: s.AmountTotal, Currency: strings.ToUpper(string(s.Currency))}
	if typ == billing.EventPaid && e.Type == sg.EventTypeCheckoutSessionCompleted &&
		s.PaymentStatus != sg.CheckoutSessionPaymentStatusPaid {
		// A delayed payment method: wait for async_payment_succeeded.
		return ev, nil
	}
	ev.Type = typ
	return ev, nil
}

// stripeErr keeps what is useful of a Stripe error (never the key).
func stripeErr(err error) string {
	var se *sg.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%s %s (status %d, request %s)", se.Type, se.Msg, se.HTTPStatusCode, se.RequestID)
	}
	return err.Error()
}

// stripeLogger sends stripe-go's logs to slog at warn level and above.
type stripeLogger struct{ log *slog.Logger }

func (l stripeLogger) Debugf(string, ...any) {}
func (l stripeLogger) Infof(string, ...any)  {}
func (l stripeLogger) Warnf(f string, v ...any) {
	l.log.Warn("stripe: " + fmt.Sprintf(f, v...))
}
func (l stripeLogger) Errorf(f string, v ...any) {
	l.log.Error("stripe: " + fmt.Sprintf(f, v...))
}

// chargeRefunded decodes charge.refunded: a refund made outside Lectern
// (in Stripe's dashboard) or one of Lectern's own, reported with the
// charge's total refunded so far; billing applies only what it does not
// know yet.
func (p *Provider) chargeRefunded(ev billing.Event, e sg.Event) (billing.Event, error) {
	if e.Data == nil {
		return ev, billing.Invalid("body", "event has no data")
	}
	var c sg.Charge
	if err := json.Unmarshal(e.Data.Raw, &c); err != nil {
		return ev, billing.Invalid("body", "event data is not a Charge")
	}
	if c.PaymentIntent == nil || c.PaymentIntent.ID == "" {
		return ev, nil
	}
	ev.Type = billing.EventRefunded
	ev.OrderID = c.Metadata["lectern_order"]
	ev.PaymentRef = c.PaymentIntent.ID
	ev.Money = billing.Money{Amount: c.AmountRefunded, Currency: strings.ToUpper(string(c.Currency))}
	return ev, nil
}
