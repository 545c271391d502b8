package billing

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
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
	store    Store
	provider Provider
	dev      *devProvider // the dev provider when it is the one in use
	log      *slog.Logger
	now      func() time.Time
	ttl      time.Duration
	baseURL  string
	listener atomic.Pointer[listenerBox] // hears entitlement changes
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
	cfg.WebhookTolerance = cmp.Or(cfg.WebhookTolerance, 5*time.Minute)
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Service{store: cfg.Store, log: log, now: now, ttl: cfg.OrderTTL, baseURL: cfg.BaseURL}
	switch cfg.Provider {
	case "", ProviderDisabled:
		s.provider = disabledProvider{}
		log.Warn("payments disabled: paid courses cannot be bought; start with --payment-provider stripe (real payments) or --payment-provider dev (test payments, no money moves)")
	case "dev":
		secret := cfg.DevWebhookSecret
		if secret == "" {
			var b [32]byte
			rand.Read(b[:])
			secret = hex.EncodeToString(b[:])
		}
		s.dev = &devProvider{baseURL: cfg.BaseURL, secret: secret, tolerance: cfg.WebhookTolerance}
		s.provider = s.dev
		log.Warn("TEST PAYMENTS: the dev payment provider is in use; no money moves and anyone can press Pay on its checkout page to own a paid course; never use it for a school that sells courses")
	case "stripe":
		if cfg.StripeSecretKey == "" || cfg.StripeWebhookSecret == "" {
			return nil, errors.New("billing: the stripe provider needs --stripe-secret-key and --stripe-webhook-secret")
		}
		if cfg.BaseURL == "" {
			return nil, errors.New("billing: the stripe provider needs a public base URL for its return links")
		}
		s.provider = newStripeProvider(cfg, log)
	default:
		return nil, fmt.Errorf("%w: %q (want stripe or dev, or nothing for payments disabled)", ErrUnknownProvider, cfg.Provider)
	}
	log.Info("billing configured", "config", cfg)
	return s, nil
}

// ProviderName names the provider in use.
func (s *Service) ProviderName() string { return s.provider.Name() }

// Provider returns the provider in use.
func (s *Service) Provider() Provider { return s.provider }

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
