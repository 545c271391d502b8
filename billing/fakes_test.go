package billing_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

func slogTo(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// fakeStripe answers the few Stripe API calls billing makes.
type fakeStripe struct {
	srv      *httptest.Server
	sessions atomic.Int64
	refunds  atomic.Int64
	mu       sync.Mutex // guards keys, auth, refunded
	keys     map[string]int
	auth     []string
	refunded []string // "payment_intent amount" of each refund
}

func newFakeStripe(t testing.TB) *fakeStripe {
	f := &fakeStripe{keys: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.keys[r.Header.Get("Idempotency-Key")]++
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v1/checkout/sessions":
			f.sessions.Add(1)
			id := "cs_test_" + r.FormValue("client_reference_id")
			json.NewEncoder(w).Encode(map[string]any{"id": id, "object": "checkout.session",
				"url": "https://checkout.stripe.test/c/pay/" + id, "status": "open"})
		case strings.HasSuffix(r.URL.Path, "/expire"):
			json.NewEncoder(w).Encode(map[string]any{"id": "cs", "object": "checkout.session", "status": "expired"})
		case r.URL.Path == "/v1/refunds":
			f.refunds.Add(1)
			f.mu.Lock()
			f.refunded = append(f.refunded, r.FormValue("payment_intent")+" "+r.FormValue("amount"))
			f.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]any{"id": "re_" + r.FormValue("metadata[lectern_refund]"),
				"object": "refund", "status": "succeeded", "amount": json.Number(r.FormValue("amount"))})
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":{"type":"invalid_request_error","message":"unknown"}}`))
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// session is the Checkout Session a Stripe event carries.
type session struct {
	OrderID       string
	Amount        int64
	Currency      string
	PaymentStatus string
	PaymentIntent string // "pi_" + OrderID when ""
}

// stripeEvent builds an event payload as Stripe sends it.
func stripeEvent(id, typ string, s session) []byte {
	if s.PaymentStatus == "" {
		s.PaymentStatus = "paid"
	}
	if s.PaymentIntent == "" {
		s.PaymentIntent = "pi_" + s.OrderID
	}
	b, _ := json.Marshal(map[string]any{
		"id": id, "object": "event", "api_version": stripe.APIVersion, "created": time.Now().Unix(),
		"type": typ, "livemode": false, "pending_webhooks": 1,
		"data": map[string]any{"object": map[string]any{
			"id": "cs_test_" + s.OrderID, "object": "checkout.session", "client_reference_id": s.OrderID,
			"amount_total": s.Amount, "currency": strings.ToLower(s.Currency), "mode": "payment",
			"payment_status": s.PaymentStatus, "payment_intent": s.PaymentIntent,
			"metadata": map[string]string{"lectern_order": s.OrderID},
		}},
	})
	return b
}

// sign signs a payload offline, as Stripe would at t, with secret.
func sign(payload []byte, secret string, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload: payload, Secret: secret, Timestamp: t}).Header
}

// deliver posts a webhook to the server.
func (e *env) deliver(provider string, payload []byte, header, sig string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/billing/webhooks/"+provider, strings.NewReader(string(payload)))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(header, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Outcome string `json:"outcome"`
		Code    string `json:"code"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Outcome + out.Code
}

// flakyStore fails the commit of its next n billing transactions after
// their work is done, as if the process died just before COMMIT.
type flakyStore struct {
	billing.Store
	fail atomic.Int64
}

var errCrash = &crashError{}

type crashError struct{}

func (*crashError) Error() string { return "simulated crash before commit" }

func (f *flakyStore) BillingTx(ctx context.Context, fn func(tx billing.Tx) error) error {
	return f.Store.BillingTx(ctx, func(tx billing.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if f.fail.Add(-1) >= 0 {
			return errCrash // rolls everything back
		}
		return nil
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
