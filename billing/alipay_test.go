package billing_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/alipay"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestAlipay is the whole Alipay flow on both backends: a page-pay
// checkout signed with the app's key, every kind of bad notification,
// the good one applied once and answered "success", reconciliation of a
// lost notification, a payment after expiry, and refunds (too large,
// timed out and retried under the same out_request_no).
func TestAlipay(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		f := newFakeAlipay(t)
		e := newEnv(t, st, withClock, withProvider(func(e *env) billing.Provider {
			p, err := alipay.New(f.cfg)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}))
		ctx := context.Background()
		teacher := e.register("ali-teacher@example.com", classroom.RoleTeacher)
		admin := e.register("ali-admin@example.com", classroom.RoleAdmin)
		course := teacher.cnyCourse("概率论", 19900)
		forger := rsaKeys()[0]

		student := e.register("ali-student@example.com")
		r, o := student.orderWith(course, "k1", "alipay", "page")
		want(t, r, http.StatusCreated)
		trade := billing.CompactID(o.ID)
		u, err := url.Parse(o.CheckoutURL)
		if err != nil || !strings.HasPrefix(o.CheckoutURL, f.srv.URL+"/gateway.do?") {
			t.Fatalf("checkout URL %q", o.CheckoutURL)
		}
		q := u.Query()
		if !f.verifyApp(q) || q.Get("method") != "alipay.trade.page.pay" ||
			q.Get("notify_url") != testBaseURL+"/api/v1/billing/webhooks/alipay" ||
			!strings.Contains(q.Get("biz_content"), `"total_amount":"199.00"`) ||
			!strings.Contains(q.Get("biz_content"), `"out_trade_no":"`+trade+`"`) {
			t.Fatalf("page pay request not as signed: %v", q)
		}
		// Alipay now has the trade (the buyer opened the page).
		f.mu.Lock()
		f.totals[trade] = "199.00"
		f.mu.Unlock()

		t.Run("bad notifications change nothing", func(t *testing.T) {
			now := time.Now()
			forged := aliNotification(forger, "a-forged", "2024001", trade, "199.00", now)
			tampered := aliNotification(f.alipay, "a-tampered", "2024001", trade, "199.00", now)
			tampered.Set("total_amount", "0.01")
			stale := aliNotification(f.alipay, "a-stale", "2024001", trade, "199.00", now.Add(-30*time.Hour))
			unsigned := aliNotification(f.alipay, "a-unsigned", "2024001", trade, "199.00", now)
			unsigned.Del("sign")
			otherApp := aliNotification(f.alipay, "a-app", "2024001", trade, "199.00", now, "app_id", "2021000000000999")
			otherSeller := aliNotification(f.alipay, "a-seller", "2024001", trade, "199.00", now, "seller_id", "2088000000000999")
			for name, v := range map[string]url.Values{"forged": forged, "tampered": tampered, "stale": stale,
				"unsigned": unsigned, "other app": otherApp, "other seller": otherSeller} {
				if code, body := e.postForm("alipay", v); code/100 != 4 || body != "fail" {
					t.Errorf("%s: %d %q, want 4xx and fail", name, code, body)
				}
			}
			for name, v := range map[string]url.Values{
				"amount":   aliNotification(f.alipay, "a-amount", "2024001", trade, "0.01", now),
				"currency": aliNotification(f.alipay, "a-currency", "2024001", trade, "199.00", now, "trans_currency", "USD"),
				"unknown":  aliNotification(f.alipay, "a-unknown", "2024009", strings.Repeat("e", 32), "199.00", now),
				"refund":   aliNotification(f.alipay, "a-refund", "2024001", trade, "199.00", now, "refund_fee", "1.00", "out_biz_no", "x"),
			} {
				if code, body := e.postForm("alipay", v); code != http.StatusOK || body != "success" {
					t.Errorf("%s: %d %q, want 200 success (acknowledged, not applied)", name, code, body)
				}
			}
			got := student.receipt(o.ID)
			if got.Status != "pending" || countKind(got, "payment") != 0 || countKind(got, "rejected") != 2 {
				t.Fatalf("after bad notifications: %+v", got)
			}
		})

		t.Run("paid once however often notified", func(t *testing.T) {
			f.mu.Lock()
			f.paid[trade] = "2024001"
			f.mu.Unlock()
			v := aliNotification(f.alipay, "a-good", "2024001", trade, "199.00", time.Now())
			for i := range 3 {
				if code, body := e.postForm("alipay", v); code != http.StatusOK || body != "success" {
					t.Fatalf("delivery %d: %d %q", i, code, body)
				}
			}
			got := student.receipt(o.ID)
			if got.Status != "paid" || countKind(got, "payment") != 1 {
				t.Fatalf("after the notification: %+v", got)
			}
		})

		t.Run("refunds", func(t *testing.T) {
			want(t, admin.do("POST", "/api/v1/orders/"+o.ID+"/refunds", map[string]any{"amount": 19901}), http.StatusUnprocessableEntity)
			f.mu.Lock()
			f.hang["alipay.trade.refund"] = 1
			f.mu.Unlock()
			r := admin.do("POST", "/api/v1/orders/"+o.ID+"/refunds", map[string]any{"amount": 5050})
			if r.status != http.StatusBadGateway {
				t.Fatalf("timed-out refund: %d %s", r.status, r.body)
			}
			if got := student.receipt(o.ID); got.Refunded != 0 {
				t.Fatalf("refunded before Alipay confirmed: %+v", got)
			}
			if n, err := e.svc.RetryRefunds(ctx); err != nil || n != 1 {
				t.Fatalf("RetryRefunds = %d, %v", n, err)
			}
			got := student.receipt(o.ID)
			if got.Status != "partially_refunded" || got.Refunded != 5050 {
				t.Fatalf("after the retried refund: %+v", got)
			}
			f.mu.Lock()
			calls, n := f.calls["alipay.trade.refund"], len(f.refunds)
			var amt string
			for _, a := range f.refunds {
				amt = a
			}
			f.mu.Unlock()
			if calls != 2 || n != 1 || amt != "50.50" {
				t.Fatalf("Alipay saw %d refund calls for %d refunds (%s yuan)", calls, n, amt)
			}
			want(t, admin.do("POST", "/api/v1/orders/"+o.ID+"/refunds", map[string]any{"amount": 14851}), http.StatusUnprocessableEntity)
		})

		t.Run("lost notification reconciled", func(t *testing.T) {
			s2 := e.register("ali-student2@example.com")
			r, o2 := s2.orderWith(course, "k2", "alipay", "wap")
			want(t, r, http.StatusCreated)
			if !strings.Contains(o2.CheckoutURL, "alipay.trade.wap.pay") {
				t.Fatalf("wap order %+v", o2)
			}
			e.advance(3 * time.Minute)
			// Not paid yet: nothing happens.
			if rep, err := e.svc.Reconcile(ctx, 2*time.Minute); err != nil || rep.Paid != 0 || rep.Checked == 0 {
				t.Fatalf("Reconcile before paying = %+v, %v", rep, err)
			}
			f.mu.Lock()
			f.paid[billing.CompactID(o2.ID)], f.totals[billing.CompactID(o2.ID)] = "2024002", "199.00"
			f.mu.Unlock()
			rep, err := e.svc.Reconcile(ctx, 2*time.Minute)
			if err != nil || rep.Paid != 1 {
				t.Fatalf("Reconcile = %+v, %v", rep, err)
			}
			if got := s2.receipt(o2.ID); got.Status != "paid" {
				t.Fatalf("after reconciliation: %+v", got)
			}
		})

		t.Run("paid after expiry", func(t *testing.T) {
			checkPaidAfterExpiry(t, e, "ali-student3@example.com", course, "alipay", "", func(trade string) {
				v := aliNotification(f.alipay, "a-late", "2024003", trade, "199.00", time.Now())
				if code, body := e.postForm("alipay", v); code != http.StatusOK || body != "success" {
					t.Fatalf("notification after expiry: %d %q", code, body)
				}
			})
		})
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.badSigs != 0 {
			t.Fatalf("%d requests to Alipay had a bad signature", f.badSigs)
		}
	})
}
