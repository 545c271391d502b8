package billing_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
	"github.com/stripe/stripe-go/v82"
)

// chargeRefunded is a signed charge.refunded event: the charge of the
// order's PaymentIntent, refunded so far total cents.
func chargeRefunded(id, orderID string, total int64, currency string) []byte {
	return mustJSON(map[string]any{
		"id": id, "object": "event", "api_version": stripe.APIVersion, "created": time.Now().Unix(),
		"type": "charge.refunded", "livemode": false, "pending_webhooks": 1,
		"data": map[string]any{"object": map[string]any{
			"id": "ch_" + orderID, "object": "charge", "amount": 4900, "amount_refunded": total,
			"currency": currency, "payment_intent": "pi_" + orderID, "refunded": total == 4900,
		}},
	})
}

// TestStripeDashboardRefunds: refunds made in Stripe's dashboard
// (charge.refunded, found by PaymentIntent) are applied once, only for
// what Lectern did not know; a full one revokes the course.
func TestStripeDashboardRefunds(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s := newStripeSetup(t, st)
		e, now := s.e, time.Now()
		if code, out := s.deliver("evt_paid", "checkout.session.completed", s.paid(), now, whsec); code != 200 || out != "paid" {
			t.Fatalf("paid: %d %q", code, out)
		}
		send := func(id string, total int64, cur string) string {
			body := chargeRefunded(id, s.order.ID, total, cur)
			code, out := e.deliver("stripe", body, "Stripe-Signature", sign(body, whsec, time.Now()))
			if code != 200 {
				t.Fatalf("%s: %d %q", id, code, out)
			}
			return out
		}
		if out := send("evt_r1", 1000, "eur"); out != "refunded" {
			t.Fatalf("first dashboard refund: %q", out)
		}
		if out := send("evt_r1", 1000, "eur"); out != "duplicate" {
			t.Fatalf("replay: %q", out)
		}
		if out := send("evt_r1b", 1000, "eur"); out != "stale" {
			t.Fatalf("same total again: %q", out)
		}
		if out := send("evt_usd", 2000, "usd"); out != "mismatch" {
			t.Fatalf("other currency: %q", out)
		}
		rc := s.student.receipt(s.order.ID)
		if rc.Status != "partially_refunded" || rc.Refunded != 1000 || countKind(rc, "refund") != 1 || s.joinStatus() != http.StatusOK {
			t.Fatalf("after a partial dashboard refund: %+v", rc)
		}
		if out := send("evt_r2", 4900, "eur"); out != "refunded" {
			t.Fatalf("full dashboard refund: %q", out)
		}
		rc = s.student.receipt(s.order.ID)
		if rc.Status != "refunded" || rc.Refunded != 4900 || countKind(rc, "refund") != 2 || s.joinStatus() != http.StatusPaymentRequired {
			t.Fatalf("after the full dashboard refund: %+v, join %d", rc, s.joinStatus())
		}
	})
}

// TestSecondPaymentRefunded: an order paid while its buyer already owns
// the course (an expired order paid late after a second one was paid) is
// paid, then refunded in full automatically through the provider.
func TestSecondPaymentRefunded(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s := newStripeSetup(t, st)
		e, now := s.e, time.Now()
		if code, out := s.deliver("evt_exp", "checkout.session.expired", s.paid(), now, whsec); code != 200 || out != "closed" {
			t.Fatalf("expired: %d %q", code, out)
		}
		r, o2 := s.student.order(s.courseID, "stripe-2")
		want(t, r, http.StatusCreated)
		second := session{OrderID: o2.ID, Amount: 4900, Currency: "EUR"}
		if code, out := s.deliver("evt_p2", "checkout.session.completed", second, now, whsec); code != 200 || out != "paid" {
			t.Fatalf("second order paid: %d %q", code, out)
		}
		// The first checkout is paid at last: the course is owned already.
		if code, out := s.deliver("evt_p1", "checkout.session.completed", s.paid(), now, whsec); code != 200 || out != string(billing.OutcomePaidTwice) {
			t.Fatalf("late first payment: %d %q", code, out)
		}
		rc := s.student.receipt(s.order.ID)
		if rc.Status != "refunded" || rc.Refunded != 4900 || e.stripe.refunds.Load() != 1 {
			t.Fatalf("late payment not refunded: %+v (Stripe refunds %d)", rc, e.stripe.refunds.Load())
		}
		if s.student.receipt(o2.ID).Status != "paid" || s.joinStatus() != http.StatusOK {
			t.Fatalf("the order that gave the course must keep it")
		}
		// Replays refund nothing more; the buyer is told once.
		if code, out := s.deliver("evt_p1", "checkout.session.completed", s.paid(), now, whsec); code != 200 || out != "duplicate" {
			t.Fatalf("replayed late payment: %d %q", code, out)
		}
		if e.stripe.refunds.Load() != 1 {
			t.Fatalf("Stripe refunds %d after a replay", e.stripe.refunds.Load())
		}
		if ns := autoRefundNotices(t, st, s.student.id); len(ns) != 1 || ns[0].Vars["reason"] != "course_already_owned" || ns[0].Vars["order"] != s.order.ID {
			t.Fatalf("notices %+v", ns)
		}
	})
}
