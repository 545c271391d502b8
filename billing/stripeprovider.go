package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/publicurl"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/checkout/session"
	"github.com/stripe/stripe-go/v82/refund"
	"github.com/stripe/stripe-go/v82/webhook"
)

// StripeSignatureHeader carries Stripe's webhook signature.
const StripeSignatureHeader = "Stripe-Signature"

// stripeProvider takes payments through Stripe Checkout: one Checkout
// Session per order (created with the order ID as idempotency key and
// client_reference_id), fulfilled only from the signed
// checkout.session.completed (or async_payment_succeeded) webhook, never
// from the success redirect. Refunds go through the Refunds API.
type stripeProvider struct {
	sessions  session.Client
	refunds   refund.Client
	secret    string // webhook signing secret
	baseURL   string
	ttl       time.Duration
	tolerance time.Duration
}

func newStripeProvider(cfg Config, log *slog.Logger) *stripeProvider {
	bc := &stripe.BackendConfig{LeveledLogger: stripeLogger{log}, HTTPClient: cfg.HTTPClient}
	if cfg.StripeAPIURL != "" {
		bc.URL = stripe.String(cfg.StripeAPIURL)
	}
	b := stripe.GetBackendWithConfig(stripe.APIBackend, bc)
	return &stripeProvider{
		sessions:  session.Client{B: b, Key: cfg.StripeSecretKey},
		refunds:   refund.Client{B: b, Key: cfg.StripeSecretKey},
		secret:    cfg.StripeWebhookSecret,
		baseURL:   cfg.BaseURL,
		ttl:       cfg.OrderTTL,
		tolerance: cfg.WebhookTolerance,
	}
}

func (p *stripeProvider) Name() string { return "stripe" }

func (p *stripeProvider) StartCheckout(ctx context.Context, o Order, course classroom.Course) (Checkout, error) {
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(o.ID),
		SuccessURL:        stripe.String(publicurl.From(ctx, p.baseURL) + "/purchases/" + o.ID + "?checkout=success"),
		CancelURL:         stripe.String(publicurl.From(ctx, p.baseURL) + "/courses/" + o.CourseID + "?checkout=cancelled"),
		LineItems: []*stripe.CheckoutSessionLineItemParams{{
			Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
				Currency:    stripe.String(strings.ToLower(o.Currency)),
				UnitAmount:  stripe.Int64(o.Amount),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String(course.Title)},
			},
		}},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{
			Metadata: map[string]string{"lectern_order": o.ID},
		},
		Metadata: map[string]string{"lectern_order": o.ID},
	}
	// The session expires with the order (Stripe accepts 30 minutes to 24
	// hours). The parameters depend on the order alone, never on the time
	// of the call: a retry under the same idempotency key must send the
	// same request, or Stripe refuses it instead of replaying the first.
	if o.ExpiresAt.Sub(o.CreatedAt) >= 30*time.Minute {
		params.ExpiresAt = stripe.Int64(o.ExpiresAt.Unix())
	}
	params.Context = ctx
	params.SetIdempotencyKey("lectern-checkout-" + o.ID)
	s, err := p.sessions.New(params)
	if err != nil {
		return Checkout{}, fmt.Errorf("%w: stripe checkout session: %v", ErrProvider, stripeErr(err))
	}
	return Checkout{Ref: s.ID, URL: s.URL}, nil
}

func (p *stripeProvider) CancelCheckout(ctx context.Context, o Order) error {
	if o.CheckoutRef == "" {
		return nil
	}
	params := &stripe.CheckoutSessionExpireParams{}
	params.Context = ctx
	if _, err := p.sessions.Expire(o.CheckoutRef, params); err != nil {
		return fmt.Errorf("%w: stripe expire session: %v", ErrProvider, stripeErr(err))
	}
	return nil
}

func (p *stripeProvider) Refund(ctx context.Context, o Order, refundID string, amount int64) (string, error) {
	if o.PaymentRef == "" {
		return "", fmt.Errorf("%w: order %s has no payment to refund", ErrProvider, o.ID)
	}
	params := &stripe.RefundParams{
		PaymentIntent: stripe.String(o.PaymentRef),
		Amount:        stripe.Int64(amount),
		Metadata:      map[string]string{"lectern_order": o.ID, "lectern_refund": refundID},
	}
	params.Context = ctx
	params.SetIdempotencyKey("lectern-refund-" + refundID)
	r, err := p.refunds.New(params)
	if err != nil {
		return "", fmt.Errorf("%w: stripe refund: %v", ErrProvider, stripeErr(err))
	}
	if r.Status == stripe.RefundStatusFailed || r.Status == stripe.RefundStatusCanceled {
		return "", fmt.Errorf("%w: stripe refund %s is %s", ErrProvider, r.ID, r.Status)
	}
	return r.ID, nil
}

// ParseWebhook checks the Stripe-Signature header (HMAC-SHA256 with the
// endpoint's signing secret, timestamp within the tolerance) and the
// event's API version, then decodes the Checkout Session events.
func (p *stripeProvider) ParseWebhook(h http.Header, body []byte) (Event, error) {
	e, err := webhook.ConstructEventWithOptions(body, h.Get(StripeSignatureHeader), p.secret,
		webhook.ConstructEventOptions{Tolerance: p.tolerance})
	if err != nil {
		if errors.Is(err, webhook.ErrNotSigned) || errors.Is(err, webhook.ErrInvalidHeader) ||
			errors.Is(err, webhook.ErrNoValidSignature) || errors.Is(err, webhook.ErrTooOld) {
			return Event{}, fmt.Errorf("%w: %v", ErrSignature, err)
		}
		return Event{}, invalid("body", "is not a Stripe event of API version "+stripe.APIVersion)
	}
	ev := Event{Provider: "stripe", ID: e.ID, RawType: string(e.Type), Type: EventIgnored,
		Created: time.Unix(e.Created, 0)}
	var typ EventType
	switch e.Type {
	case stripe.EventTypeCheckoutSessionCompleted:
		typ = EventPaid // if its payment_status says so, below
	case stripe.EventTypeCheckoutSessionAsyncPaymentSucceeded:
		typ = EventPaid
	case stripe.EventTypeCheckoutSessionAsyncPaymentFailed:
		typ = EventFailed
	case stripe.EventTypeCheckoutSessionExpired:
		typ = EventExpired
	default:
		return ev, nil
	}
	if e.Data == nil {
		return ev, invalid("body", "event has no data")
	}
	var s stripe.CheckoutSession
	if err := json.Unmarshal(e.Data.Raw, &s); err != nil {
		return ev, invalid("body", "event data is not a Checkout Session")
	}
	ev.OrderID = s.ClientReferenceID
	if ev.OrderID == "" {
		ev.OrderID = s.Metadata["lectern_order"]
	}
	ev.CheckoutRef = s.ID
	if s.PaymentIntent != nil {
		ev.PaymentRef = s.PaymentIntent.ID
	}
	ev.Money = Money{Amount: s.AmountTotal, Currency: strings.ToUpper(string(s.Currency))}
	if typ == EventPaid && e.Type == stripe.EventTypeCheckoutSessionCompleted &&
		s.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
		// A delayed payment method: wait for async_payment_succeeded.
		return ev, nil
	}
	ev.Type = typ
	return ev, nil
}

// stripeErr keeps what is useful of a Stripe error (never the key).
func stripeErr(err error) string {
	var se *stripe.Error
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
