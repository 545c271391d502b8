package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/billinghttp"
	"github.com/lectern/lectern/billing/setup"
	"github.com/lectern/lectern/billing/stripe"
	"github.com/lectern/lectern/store"
)

// wireStore locks the data directory, opens and migrates the store, and
// mounts the REST API.
func (a *App) wireStore(ctx context.Context) error {
	release, err := store.LockDataDir(a.cfg.DataDir)
	if err != nil {
		return err
	}
	a.closers = append(a.closers, func() error { release(); return nil })
	st, err := store.Open(ctx, store.Config{DataDir: a.cfg.DataDir, DatabaseURL: a.cfg.DatabaseURL, Logger: a.log.With("subsystem", "store")})
	if err != nil {
		return err
	}
	a.closers = append(a.closers, st.Close)
	applied, err := st.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("app: migrations: %w", err)
	}
	if len(applied) > 0 {
		a.log.Info("migrations applied", "versions", applied, "backend", st.Backend())
	}
	a.store = st
	providers, err := setup.Providers(setup.Config{Providers: a.cfg.PaymentProvider, BaseURL: a.linkBase(),
		Stripe:    stripe.Config{SecretKey: a.cfg.StripeSecretKey, WebhookSecret: a.cfg.StripeWebhookSecret},
		WeChatPay: a.cfg.WeChatPay, Alipay: a.cfg.Alipay, Logger: a.log.With("subsystem", "billing")})
	if err != nil {
		return err
	}
	bill, err := billing.New(billing.Config{Store: st, Providers: providers, CommissionBps: a.cfg.CommissionBps,
		BaseURL: a.linkBase(), Logger: a.log.With("subsystem", "billing")})
	if err != nil {
		return err
	}
	a.billing = bill
	a.policy = access.New(st, access.WithEntitlements(bill))
	outbox := a.startOutbox(st)
	srv := api.New(api.Config{Store: st, Signer: a.signer, Logger: a.log.With("subsystem", "api"), BaseURL: a.cfg.BaseURL,
		TrustedProxies: a.cfg.TrustedProxies, Access: bill, Doors: a.policy, Outbox: outbox,
		TokenTTL: a.cfg.TokenTTL, HLS: a.grants, PreferH264: a.cfg.PreferH264})
	a.closers = append(a.closers, srv.Close)
	srv.Register(a.mux)
	billinghttp.New(bill, srv).Register(a.mux)
	api.NewReports(srv, st.Live()).Register(a.mux)
	if err := a.wireContent(srv, st); err != nil {
		return err
	}
	// Refunds a crash left half-done are finished (each provider call is
	// idempotent).
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	if _, err := bill.RetryRefunds(rctx); err != nil {
		a.log.Warn("retrying unfinished refunds", "err", err)
	}
	cancel()
	a.api = srv
	if a.cfg.Dev {
		pw := randomPassword()
		if _, created, err := srv.EnsureAdmin(ctx, "admin@localhost", pw, "Admin"); err != nil {
			return err
		} else if created {
			a.log.Info("development admin created", "email", "admin@localhost", "password", pw)
		}
	}
	a.startJanitor(st)
	return nil
}

// startJanitor deletes expired sessions once an hour and, every five
// minutes, expires unpaid orders (returning their coupon redemptions) and
// reconciles payments with the providers.
func (a *App) startJanitor(st *store.Store) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Minute)
		defer t.Stop()
		var lastSweep time.Time
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				if _, err := a.billing.ExpireOrders(ctx); err != nil {
					a.log.Warn("expiring unpaid orders", "err", err)
				}
				// Orders whose notification was lost, refunds in progress.
				if _, err := a.billing.Reconcile(ctx, 2*time.Minute); err != nil {
					a.log.Warn("reconciling payments", "err", err)
				}
				if now.Sub(lastSweep) >= time.Hour {
					lastSweep = now
					if _, err := st.DeleteExpiredSessions(ctx, now); err != nil {
						a.log.Warn("deleting expired sessions", "err", err)
					}
				}
				cancel()
			}
		}
	}()
	a.closers = append(a.closers, func() error { close(stop); <-done; return nil })
}

func randomPassword() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
