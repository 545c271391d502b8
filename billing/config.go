package billing

import (
	"log/slog"
	"net/http"
	"time"
)

// Config configures a Service. It is assembled in cmd/lectern from
// --payment-provider, --stripe-secret-key and --stripe-webhook-secret
// (LECTERN_PAYMENT_PROVIDER, LECTERN_STRIPE_SECRET_KEY,
// LECTERN_STRIPE_WEBHOOK_SECRET). It logs as slog.Value with its secrets
// redacted.
type Config struct {
	// Store is required.
	Store Store
	// Provider is "stripe", "dev" (test payments: a checkout page whose
	// Pay button grants the course, no money moves; only when chosen
	// explicitly) or "" (payments disabled: paid courses cannot be bought).
	Provider string
	// StripeSecretKey (sk_… or rk_…) and StripeWebhookSecret (whsec_…)
	// are required for "stripe".
	StripeSecretKey     string
	StripeWebhookSecret string
	// StripeAPIURL replaces https://api.stripe.com (stripe-mock, tests).
	StripeAPIURL string
	// HTTPClient calls the provider (nil: stripe-go's default).
	HTTPClient *http.Client
	// DevWebhookSecret signs the dev provider's webhooks ("": a random
	// secret per process, so only the in-process checkout page can pay).
	DevWebhookSecret string
	// BaseURL is the public origin, for checkout and return links.
	BaseURL string
	// Logger receives billing's logs; nil discards them.
	Logger *slog.Logger
	// OrderTTL is how long a pending order waits for payment (default
	// 1h; Stripe needs 30m–24h).
	OrderTTL time.Duration
	// WebhookTolerance is how old a webhook signature may be (default 5m).
	WebhookTolerance time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// LogValue keeps the secrets out of logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("provider", c.Provider),
		slog.String("base_url", c.BaseURL),
		slog.Bool("stripe_secret_key_set", c.StripeSecretKey != ""),
		slog.Bool("stripe_webhook_secret_set", c.StripeWebhookSecret != ""),
		slog.Duration("order_ttl", c.OrderTTL),
	)
}

// String keeps the secrets out of fmt output too.
func (c Config) String() string { return c.LogValue().String() }
