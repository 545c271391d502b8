package billing_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
	"github.com/stripe/stripe-go/v82"
)

// stripeSetup is a Stripe-backed env with a paid course, a lesson, an
// enrolled student and their pending order.
type stripeSetup struct {
	e                  *env
	teacher, student   *client
	courseID, lessonID string
	order              orderJSON
}

func newStripeSetup(t *testing.T, st *store.Store, opts ...func(*env) envOpt) stripeSetup {
	t.Helper()
	e := newEnv(t, st, append([]func(*env) envOpt{withStripe}, opts...)...)
	s := stripeSetup{e: e, teacher: e.register("teacher@example.org", classroom.RoleTeacher),
		student: e.register("student@example.org")}
	s.courseID, s.lessonID = s.teacher.paidCourse("Stripe course")
	want(t, s.student.do("POST", "/api/v1/courses/"+s.courseID+"/enrolment", nil), http.StatusCreated)
	r, o := s.student.order(s.courseID, "stripe-1")
	want(t, r, http.StatusCreated)
	s.order = o
	return s
}

func (s stripeSetup) deliver(id, typ string, sess session, at time.Time, secret string) (int, string) {
	return s.e.deliver("stripe", stripeEvent(id, typ, sess), "Stripe-Signature", sign(stripeEvent(id, typ, sess), secret, at))
}

func (s stripeSetup) paid() session {
	return session{OrderID: s.order.ID, Amount: 4900, Currency: "EUR"}
}

func (s stripeSetup) joinStatus() int {
	return s.student.do("POST", "/api/v1/lessons/"+s.lessonID+"/join", nil).status
}

func TestStripeWebhooks(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s := newStripeSetup(t, st)
		e, now := s.e, time.Now()
		if !strings.HasPrefix(s.order.CheckoutURL, "https://checkout.stripe.test/") {
			t.Fatalf("checkout_url = %q", s.order.CheckoutURL)
		}
		if n := e.stripe.keys["lectern-checkout-"+s.order.ID]; n != 1 || e.stripe.sessions.Load() != 1 {
			t.Fatalf("checkout sessions: %d created, key used %d times", e.stripe.sessions.Load(), n)
		}
		// A double-clicked buy opens no second session.
		r, again := s.student.order(s.courseID, "stripe-1")
		want(t, r, http.StatusOK)
		if again.ID != s.order.ID || e.stripe.sessions.Load() != 1 {
			t.Fatalf("replay: order %s, %d sessions", again.ID, e.stripe.sessions.Load())
		}

		// The success redirect grants nothing: only the webhook does.
		if s.joinStatus() != http.StatusPaymentRequired {
			t.Fatal("joined before payment")
		}

		type delivery struct {
			name    string
			payload []byte
			sig     string
			status  int
			outcome string
		}
		good := stripeEvent("evt_good", "checkout.session.completed", s.paid())
		wrongAPI := bytes.Replace(good, []byte(stripe.APIVersion), []byte("2020-08-27"), 1)
		bad := []delivery{
			{"forged", good, sign(good, "whsec_wrong", now), 400, "bad_signature"},
			{"unsigned", good, "", 400, "bad_signature"},
			{"garbled header", good, "t=abc,v1=zz", 400, "bad_signature"},
			{"stale", good, sign(good, whsec, now.Add(-10*time.Minute)), 400, "bad_signature"},
			{"tampered", bytes.Replace(good, []byte(`"amount_total":4900`), []byte(`"amount_total":4901`), 1),
				sign(good, whsec, now), 400, "bad_signature"},
			{"other API version", wrongAPI, sign(wrongAPI, whsec, now), 422, "invalid_input"},
		}
		for _, d := range bad {
			if st, out := e.deliver("stripe", d.payload, "Stripe-Signature", d.sig); st != d.status || out != d.outcome {
				t.Errorf("%s: %d %q, want %d %q", d.name, st, out, d.status, d.outcome)
			}
		}
		checks := []struct {
			name    string
			id, typ string
			sess    session
			outcome string
		}{
			{"unknown type", "evt_1", "customer.created", s.paid(), "ignored"},
			{"unknown order", "evt_2", "checkout.session.completed", session{OrderID: "9e7d1f7e-0000-4000-8000-000000000000", Amount: 4900, Currency: "EUR"}, "unknown_order"},
			{"wrong amount", "evt_3", "checkout.session.completed", session{OrderID: s.order.ID, Amount: 490, Currency: "EUR"}, "mismatch"},
			{"wrong currency", "evt_4", "checkout.session.completed", session{OrderID: s.order.ID, Amount: 4900, Currency: "USD"}, "mismatch"},
			{"unpaid (delayed method)", "evt_5", "checkout.session.completed", session{OrderID: s.order.ID, Amount: 4900, Currency: "EUR", PaymentStatus: "unpaid"}, "ignored"},
		}
		for _, c := range checks {
			if st, out := s.deliver(c.id, c.typ, c.sess, now, whsec); st != 200 || out != c.outcome {
				t.Errorf("%s: %d %q, want 200 %q", c.name, st, out, c.outcome)
			}
		}
		if rc := s.student.receipt(s.order.ID); rc.Status != "pending" || countKind(rc, "rejected") != 2 ||
			s.joinStatus() != http.StatusPaymentRequired {
			t.Fatalf("after bad events: %+v", rc)
		}

		// The real one, then replays and out-of-order stragglers.
		for i, c := range []struct {
			id, typ, outcome string
		}{
			{"evt_good", "checkout.session.completed", "paid"},
			{"evt_good", "checkout.session.completed", "duplicate"},
			{"evt_async", "checkout.session.async_payment_succeeded", "stale"},
			{"evt_expired", "checkout.session.expired", "stale"},
			{"evt_1", "customer.created", "duplicate"},
		} {
			if st, out := s.deliver(c.id, c.typ, s.paid(), now, whsec); st != 200 || out != c.outcome {
				t.Errorf("delivery %d (%s): %d %q, want %q", i, c.id, st, out, c.outcome)
			}
		}
		rc := s.student.receipt(s.order.ID)
		if rc.Status != "paid" || countKind(rc, "payment") != 1 || s.joinStatus() != http.StatusOK {
			t.Fatalf("after payment: %+v", rc)
		}

		// Refunds go through the Refunds API, idempotently per refund.
		admin := e.register("admin@example.org", classroom.RoleAdmin)
		r = admin.do("POST", "/api/v1/orders/"+s.order.ID+"/refunds", map[string]any{"note": "goodwill"})
		want(t, r, http.StatusCreated)
		var rf idJSON
		r.decode(t, &rf)
		if e.stripe.refunds.Load() != 1 || e.stripe.keys["lectern-refund-"+rf.ID] != 1 {
			t.Fatalf("refunds at Stripe: %d", e.stripe.refunds.Load())
		}
		if s.joinStatus() != http.StatusPaymentRequired {
			t.Fatal("joined after a full refund")
		}

		// Secrets never reach the logs; the key reached Stripe.
		if logs := e.logs.String(); strings.Contains(logs, stripeKey) || strings.Contains(logs, whsec) {
			t.Fatalf("a secret is in the logs:\n%s", logs)
		}
		if !strings.Contains(e.stripe.auth[0], stripeKey) {
			t.Fatalf("Stripe saw Authorization %q", e.stripe.auth[0])
		}
	})
}

// TestStripeLatePayment: the checkout's expiry arrives before its
// completion (delivery out of order); the money was taken, so the order
// is paid.
func TestStripeLatePayment(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s := newStripeSetup(t, st)
		now := time.Now()
		if code, out := s.deliver("evt_x", "checkout.session.expired", s.paid(), now, whsec); code != 200 || out != "closed" {
			t.Fatalf("expired: %d %q", code, out)
		}
		if rc := s.student.receipt(s.order.ID); rc.Status != "expired" {
			t.Fatalf("status %s", rc.Status)
		}
		if code, out := s.deliver("evt_y", "checkout.session.completed", s.paid(), now, whsec); code != 200 || out != "paid" {
			t.Fatalf("completed: %d %q", code, out)
		}
		rc := s.student.receipt(s.order.ID)
		if rc.Status != "paid" || countKind(rc, "payment") != 1 || s.joinStatus() != http.StatusOK {
			t.Fatalf("after late payment: %+v", rc)
		}
	})
}

// TestConcurrentWebhooks: many deliveries of one payment at once, the same
// event and different events for it: one payment, one grant.
func TestConcurrentWebhooks(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s := newStripeSetup(t, st)
		now := time.Now()
		var (
			mu       sync.Mutex
			outcomes = map[string]int{}
			wg       sync.WaitGroup
		)
		for i := range 40 {
			wg.Go(func() {
				id, typ := "evt_same", "checkout.session.completed"
				if i%4 == 3 {
					id, typ = fmt.Sprintf("evt_async_%d", i), "checkout.session.async_payment_succeeded"
				}
				payload := stripeEvent(id, typ, s.paid())
				code, out := s.e.deliver("stripe", payload, "Stripe-Signature", sign(payload, whsec, now))
				mu.Lock()
				defer mu.Unlock()
				outcomes[fmt.Sprint(code, " ", out)]++
			})
		}
		wg.Wait()
		if outcomes["200 paid"] != 1 || outcomes["200 paid"]+outcomes["200 duplicate"]+outcomes["200 stale"] != 40 {
			t.Fatalf("outcomes: %v", outcomes)
		}
		rc := s.student.receipt(s.order.ID)
		if rc.Status != "paid" || countKind(rc, "payment") != 1 {
			t.Fatalf("receipt: %+v", rc)
		}
	})
}

// TestKilledBeforeGrant: the process dies after receiving a webhook and
// before its transaction commits (simulated by a store whose commit fails
// once). Nothing is half-applied; the provider's retry grants exactly once.
func TestKilledBeforeGrant(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		flaky := &flakyStore{Store: st}
		s := newStripeSetup(t, st, withStore(flaky))
		now := time.Now()
		flaky.fail.Store(1)
		if code, _ := s.deliver("evt_k", "checkout.session.completed", s.paid(), now, whsec); code != 500 {
			t.Fatalf("crashed delivery answered %d, want 500 so Stripe retries", code)
		}
		rc := s.student.receipt(s.order.ID)
		if rc.Status != "pending" || countKind(rc, "payment") != 0 || s.joinStatus() != http.StatusPaymentRequired {
			t.Fatalf("after the crash: %+v", rc)
		}
		for i, want := range []string{"paid", "duplicate", "duplicate"} {
			if code, out := s.deliver("evt_k", "checkout.session.completed", s.paid(), now, whsec); code != 200 || out != want {
				t.Fatalf("retry %d: %d %q, want %q", i, code, out, want)
			}
		}
		rc = s.student.receipt(s.order.ID)
		if rc.Status != "paid" || countKind(rc, "payment") != 1 || s.joinStatus() != http.StatusOK {
			t.Fatalf("after the retry: %+v", rc)
		}
	})
}
