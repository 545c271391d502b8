package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/billinghttp"
	"github.com/lectern/lectern/billing/devpay"
)

// withBilling mounts billing's HTTP routes (dev provider) next to the
// API's on h's server, and whatever also registers, and returns the
// billing service.
func withBilling(t *testing.T, h *harness, also ...func(*http.ServeMux)) *billing.Service {
	t.Helper()
	bill, err := billing.New(billing.Config{Store: h.st, Providers: []billing.Provider{devpay.New(devpay.Config{})}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.api.Register(mux)
	billinghttp.New(bill, h.api).Register(mux)
	for _, reg := range also {
		reg(mux)
	}
	h.srv.Close()
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return bill
}

// paidOrder has c buy courseID through bill's dev provider and returns the
// paid order's id.
func paidOrder(t *testing.T, h *harness, bill *billing.Service, c *client, courseID string) string {
	t.Helper()
	ctx := context.Background()
	acc, err := h.st.Account(ctx, c.id)
	if err != nil {
		t.Fatal(err)
	}
	o, _, err := bill.CreateOrder(ctx, acc, billing.OrderRequest{CourseID: courseID, IdempotencyKey: uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bill.ApplyEvent(ctx, billing.Event{Provider: "dev", ID: "evt_" + uuid.NewString(), Type: billing.EventPaid,
		OrderID: o.ID, CheckoutRef: "dev_cs_" + o.ID, PaymentRef: "dev_pi_" + o.ID,
		Money: billing.Money{Amount: o.Amount, Currency: o.Currency}, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return o.ID
}
