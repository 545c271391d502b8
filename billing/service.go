package billing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lectern/lectern/classroom"
)

// Service is billing's domain: prices, coupons, orders, events, refunds,
// entitlements and revenue. It implements api.AccessPolicy. It is safe for
// concurrent use.
type Service struct {
	store     Store
	providers []Provider          // enabled, in checkout order
	byName    map[string]Provider // the same, by name
	log       *slog.Logger
	now       func() time.Time
	ttl       time.Duration
	baseURL   string
	// commission is the platform's default commission, basis points.
	commission int
	listener   atomic.Pointer[listenerBox] // hears entitlement changes
}

// New returns a Service for cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("billing: Config.Store is required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	cfg.OrderTTL = cmp.Or(cfg.OrderTTL, time.Hour)
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.CommissionBps < 0 || cfg.CommissionBps > MaxBps {
		return nil, fmt.Errorf("billing: the platform commission must be 0–10000 basis points, not %d", cfg.CommissionBps)
	}
	s := &Service{store: cfg.Store, log: log, now: now, ttl: cfg.OrderTTL, baseURL: cfg.BaseURL,
		byName: map[string]Provider{}, commission: cfg.CommissionBps}
	for _, p := range cfg.Providers {
		if p == nil || p.Name() == "" || p.Name() == "none" {
			return nil, fmt.Errorf("%w: a provider without a name", ErrUnknownProvider)
		}
		if _, dup := s.byName[p.Name()]; dup {
			return nil, fmt.Errorf("billing: provider %q enabled twice", p.Name())
		}
		s.byName[p.Name()] = p
		s.providers = append(s.providers, p)
	}
	if len(s.providers) == 0 {
		log.Warn("payments disabled: paid courses cannot be bought; start with --payment-provider stripe, wechatpay or alipay (real payments) or --payment-provider dev (test payments, no money moves)")
	}
	if s.TestPayments() {
		log.Warn("TEST PAYMENTS: the dev payment provider is in use; no money moves and anyone can press Pay on its checkout page to own a paid course; never use it for a school that sells courses")
	}
	log.Info("billing configured", "config", cfg)
	return s, nil
}

// TestPayments reports whether the dev provider (no money moves) is
// enabled: the web client and the checkout page then show a banner.
func (s *Service) TestPayments() bool {
	_, ok := s.byName["dev"]
	return ok
}

// Providers returns the enabled providers, in checkout order.
func (s *Service) Providers() []Provider { return s.providers }

// Provider returns the enabled provider called name.
func (s *Service) Provider(name string) (Provider, bool) {
	p, ok := s.byName[name]
	return p, ok
}

// DefaultCurrency is the currency a price takes when none is given: CNY
// when a provider that takes only CNY (WeChat Pay, Alipay) is enabled,
// otherwise none ("": the currency must be given).
func (s *Service) DefaultCurrency() string {
	for _, p := range s.providers {
		if c := p.Currencies(); len(c) == 1 && c[0] == "CNY" {
			return "CNY"
		}
	}
	return ""
}

// Store returns the store billing reads and writes.
func (s *Service) Store() Store { return s.store }

// Logger returns billing's logger.
func (s *Service) Logger() *slog.Logger { return s.log }

// OrderTTL is how long a pending order waits for payment.
func (s *Service) OrderTTL() time.Duration { return s.ttl }

// Now is billing's clock, in UTC to the millisecond.
func (s *Service) Now() time.Time { return s.clock() }

// maxTxAttempts bounds retries of a transaction that lost a race.
const maxTxAttempts = 10

// tx runs fn in a store transaction, retrying it from scratch when it
// loses a race (classroom.ErrConflict). fn must not keep state across
// attempts except through what it returns.
func (s *Service) tx(ctx context.Context, fn func(Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.store.BillingTx(ctx, fn)
		if !errors.Is(err, classroom.ErrConflict) || attempt == maxTxAttempts {
			return err
		}
		d := time.Duration(mrand.Int64N(int64(attempt) * int64(2*time.Millisecond)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// isAdmin reports whether a may act as an administrator.
func isAdmin(a classroom.Account) bool { return a.Roles.Has(classroom.RoleAdmin) }
