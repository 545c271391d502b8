package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/billing"
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
	bill, err := billing.New(billing.Config{
		Store: st, Provider: a.cfg.PaymentProvider,
		StripeSecretKey: a.cfg.StripeSecretKey, StripeWebhookSecret: a.cfg.StripeWebhookSecret,
		BaseURL: a.linkBase(), Logger: a.log.With("subsystem", "billing"),
	})
	if err != nil {
		return err
	}
	a.billing = bill
	outbox := a.startOutbox(st)
	srv := api.New(api.Config{Store: st, Signer: a.signer, Logger: a.log.With("subsystem", "api"), BaseURL: a.cfg.BaseURL,
		TrustedProxies: a.cfg.TrustedProxies, Access: bill, Outbox: outbox})
	a.closers = append(a.closers, srv.Close)
	srv.Register(a.mux)
	billing.NewHTTP(bill, srv).Register(a.mux)
	api.NewReports(srv, st.Live()).Register(a.mux)
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

// startJanitor deletes expired sessions once an hour and expires unpaid
// orders (returning their coupon redemptions) every five minutes.
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
