package billing

import (
	"log/slog"
	"time"
)

// Config configures a Service. The providers are built in cmd/lectern
// (through package billing/setup) from --payment-provider and each
// provider's flags; billing itself knows none of them.
type Config struct {
	// Store is required.
	Store Store
	// Providers are the enabled payment providers, in the order the
	// checkout offers them. None: payments are disabled (prices can be
	// set, nothing can be bought).
	Providers []Provider
	// BaseURL is the public origin, for checkout and return links.
	BaseURL string
	// Logger receives billing's logs; nil discards them.
	Logger *slog.Logger
	// OrderTTL is how long a pending order waits for payment (default
	// 1h; Stripe needs 30m–24h).
	OrderTTL time.Duration
	// CommissionBps is the platform's commission on teachers' net
	// revenue, in basis points (1000 = 10%); teachers may have their own.
	CommissionBps int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// LogValue says what is configured (providers hold their own secrets
// and never log them).
func (c Config) LogValue() slog.Value {
	names := make([]string, 0, len(c.Providers))
	for _, p := range c.Providers {
		names = append(names, p.Name())
	}
	return slog.GroupValue(
		slog.Any("providers", names),
		slog.String("base_url", c.BaseURL),
		slog.Duration("order_ttl", c.OrderTTL),
		slog.Int("commission_bps", c.CommissionBps),
	)
}

// String keeps fmt output the same as the log's.
func (c Config) String() string { return c.LogValue().String() }
