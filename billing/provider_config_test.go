package billing_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// withoutProvider is a production configuration: no --payment-provider.
func withoutProvider(*env) envOpt { return func(c *billing.Config) { c.Providers = nil } }

type billingConfigJSON struct {
	Provider        string `json:"provider"`
	PaymentsEnabled bool   `json:"payments_enabled"`
	TestPayments    bool   `json:"test_payments"`
}

func readBillingConfig(t *testing.T, c *client) billingConfigJSON {
	t.Helper()
	r := c.do("GET", "/api/v1/billing/config", nil)
	want(t, r, http.StatusOK)
	var cfg billingConfigJSON
	r.decode(t, &cfg)
	return cfg
}

// TestPaymentsDisabledWithoutProvider: a server started without a payment
// provider sells nothing (no silent test provider), says so in its log
// naming the choices, and tells the client there is no test banner to show.
func TestPaymentsDisabledWithoutProvider(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withoutProvider)
		teacher := e.register("teacher@example.org", classroom.RoleTeacher)
		student := e.register("student@example.org")
		courseID, lessonID := teacher.paidCourse("Paid course")

		if cfg := readBillingConfig(t, student); cfg.Provider != "" || cfg.PaymentsEnabled || cfg.TestPayments {
			t.Fatalf("config = %+v, want payments disabled and no test banner", cfg)
		}
		r, _ := student.order(courseID, "buy-1")
		want(t, r, http.StatusServiceUnavailable, "payments_disabled")
		if !strings.Contains(string(r.body), "paid courses cannot be bought") {
			t.Fatalf("message %s", r.body)
		}
		// Nothing was created, nothing was granted.
		if os, err := st.ListOrders(t.Context(), billing.OrderQuery{AccountID: student.id, Page: classroom.Page{Limit: 10}}); err != nil || len(os) != 0 {
			t.Fatalf("orders after a refused checkout: %v, %v", os, err)
		}
		want(t, student.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)
		want(t, student.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil), http.StatusPaymentRequired, "payment_required")
		// The test checkout does not exist, and no dev webhook is accepted.
		want(t, student.do("GET", "/api/v1/billing/dev/checkout/00000000-0000-0000-0000-000000000000", nil), http.StatusNotFound)
		want(t, student.do("POST", "/api/v1/billing/webhooks/dev", map[string]string{}), http.StatusNotFound)

		logs := e.logs.String()
		if !strings.Contains(logs, "payments disabled") || !strings.Contains(logs, "--payment-provider stripe") ||
			!strings.Contains(logs, "--payment-provider dev") {
			t.Fatalf("the start log does not say payments are disabled and name the choices:\n%s", logs)
		}
	})
}

// TestDevProviderIsLoud: the dev provider, chosen explicitly, warns in the
// log, asks the client for its banner and shows one on its checkout page.
func TestDevProviderIsLoud(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		teacher := e.register("teacher@example.org", classroom.RoleTeacher)
		student := e.register("student@example.org")
		courseID, _ := teacher.paidCourse("Paid course")

		if cfg := readBillingConfig(t, student); cfg.Provider != "dev" || !cfg.PaymentsEnabled || !cfg.TestPayments {
			t.Fatalf("config = %+v, want dev with the test banner", cfg)
		}
		if logs := e.logs.String(); !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "TEST PAYMENTS") {
			t.Fatalf("no warning at start:\n%s", logs)
		}
		r, o := student.order(courseID, "buy-1")
		want(t, r, http.StatusCreated)
		for lang, banner := range map[string]string{"en": "Test payments — no money moves", "zh-CN": "测试支付 — 不会产生真实扣款"} {
			r = student.do("GET", "/api/v1/billing/dev/checkout/"+o.ID, nil, "Accept-Language", lang)
			want(t, r, http.StatusOK)
			if !strings.Contains(string(r.body), `id="test-payments-banner"`) || !strings.Contains(string(r.body), banner) {
				t.Fatalf("%s checkout page has no banner:\n%s", lang, r.body)
			}
		}
	})
}
