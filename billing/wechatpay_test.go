package billing_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/wechatpay"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// wxEnv is a billing env with WeChat Pay against a fake WeChat Pay API,
// its configuration changed first by each of cfg.
func wxEnv(t *testing.T, st *store.Store, cfg ...func(*wechatpay.Config)) (*env, *fakeWeChat) {
	f := newFakeWeChat(t)
	for _, c := range cfg {
		c(&f.cfg)
	}
	e := newEnv(t, st, withClock, withProvider(func(e *env) billing.Provider {
		p, err := wechatpay.New(f.cfg)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}))
	return e, f
}

// TestWeChatPay is the whole WeChat Pay flow on both backends: Native
// checkout with signed requests, every kind of bad notification, the
// good one applied once, reconciliation of a lost notification, a
// payment after expiry, refunds (too large, partial, timed out and
// retried), and an order creation that timed out and was retried.
func TestWeChatPay(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, f := wxEnv(t, st)
		ctx := context.Background()
		teacher := e.register("wx-teacher@example.com", classroom.RoleTeacher)
		admin := e.register("wx-admin@example.com", classroom.RoleAdmin)
		course := teacher.cnyCourse("线性代数", 19900)
		forger := rsaKeys()[2]

		student := e.register("wx-student@example.com")
		r, o := student.orderWith(course, "k1", "wechatpay", "native")
		want(t, r, http.StatusCreated)
		trade := billing.CompactID(o.ID)
		if o.Provider != "wechatpay" || o.Method != "native" || o.CheckoutURL != "weixin://wxpay/bizpayurl?pr="+trade {
			t.Fatalf("order %+v", o)
		}
		if f.count("POST /v3/pay/transactions/native") != 1 || f.bad() != 0 {
			t.Fatalf("native prepay calls %d, bad signatures %d", f.count("POST /v3/pay/transactions/native"), f.bad())
		}
		paid := func(id string) orderJSON { return student.receipt(id) }
		good := wxTransaction(trade, "4200000001", "SUCCESS", 19900, "CNY")

		t.Run("bad notifications change nothing", func(t *testing.T) {
			now := time.Now()
			forged := newWxNotification("n-forged", good, forger, now)
			stale := newWxNotification("n-stale", good, f.platform, now.Add(-10*time.Minute))
			tampered := newWxNotification("n-tampered", good, f.platform, now)
			tampered.body = []byte(strings.Replace(string(tampered.body), `"n-tampered"`, `"n-tamperex"`, 1))
			unsigned := newWxNotification("n-unsigned", good, f.platform, now)
			unsigned.header.Del("Wechatpay-Signature")
			otherKey := newWxNotification("n-serial", good, f.platform, now)
			otherKey.header.Set("Wechatpay-Serial", "PUB_KEY_ID_other")
			for name, n := range map[string]wxNotification{"forged": forged, "stale": stale, "tampered": tampered,
				"unsigned": unsigned, "other serial": otherKey} {
				code, body := e.post("wechatpay", n.body, n.header)
				if code != http.StatusBadRequest || !strings.Contains(body, `"code":"FAIL"`) {
					t.Errorf("%s: %d %s, want 400 with code FAIL", name, code, body)
				}
			}
			// Signed by WeChat Pay, but not what the order says: recorded,
			// nothing granted.
			for name, tx := range map[string]map[string]any{
				"amount":   wxTransaction(trade, "4200000001", "SUCCESS", 1, "CNY"),
				"currency": wxTransaction(trade, "4200000001", "SUCCESS", 19900, "USD"),
			} {
				n := newWxNotification("n-"+name, tx, f.platform, now)
				if code, body := e.post("wechatpay", n.body, n.header); code != http.StatusNoContent {
					t.Errorf("%s mismatch: %d %s, want 204 (acknowledged, not applied)", name, code, body)
				}
			}
			other := wxTransaction(trade, "4200000001", "SUCCESS", 19900, "CNY")
			other["mchid"] = "1900000999"
			n := newWxNotification("n-mchid", other, f.platform, now)
			if code, _ := e.post("wechatpay", n.body, n.header); code/100 != 4 {
				t.Errorf("another merchant's transaction: %d, want 4xx", code)
			}
			unknown := newWxNotification("n-unknown", wxTransaction(strings.Repeat("f", 32), "42", "SUCCESS", 19900, "CNY"), f.platform, now)
			if code, _ := e.post("wechatpay", unknown.body, unknown.header); code != http.StatusNoContent {
				t.Errorf("unknown order: %d, want 204", code)
			}
			got := paid(o.ID)
			if got.Status != "pending" || countKind(got, "payment") != 0 || countKind(got, "rejected") != 2 {
				t.Fatalf("after bad notifications: %+v", got)
			}
		})

		t.Run("paid once however often notified", func(t *testing.T) {
			n := newWxNotification("n-good", good, f.platform, time.Now())
			for i := range 3 {
				if code, body := e.post("wechatpay", n.body, n.header); code != http.StatusNoContent || body != "" {
					t.Fatalf("delivery %d: %d %q, want 204 and no body", i, code, body)
				}
			}
			got := paid(o.ID)
			if got.Status != "paid" || countKind(got, "payment") != 1 {
				t.Fatalf("after the notification: %+v", got)
			}
			if err := e.svc.MayAccess(ctx, student.account(), mustCourse(t, st, course), ""); err != nil {
				t.Fatalf("access after paying: %v", err)
			}
		})

		t.Run("refunds", func(t *testing.T) {
			r := admin.do("POST", "/api/v1/orders/"+o.ID+"/refunds", map[string]any{"amount": 19901})
			want(t, r, http.StatusUnprocessableEntity)
			// A refund whose answer is lost stays processing, is asked again
			// under the same out_refund_no and refunded once.
			f.mu.Lock()
			f.hang["/v3/refund"] = 1
			f.mu.Unlock()
			r = admin.do("POST", "/api/v1/orders/"+o.ID+"/refunds", map[string]any{"amount": 9900})
			if r.status != http.StatusBadGateway {
				t.Fatalf("timed-out refund: %d %s", r.status, r.body)
			}
			list, err := st.ListRefunds(ctx, billing.RefundQuery{OrderID: o.ID})
			if err != nil || len(list) != 1 || list[0].Status != billing.RefundProcessing {
				t.Fatalf("refunds after the timeout: %+v, %v", list, err)
			}
			if got := paid(o.ID); got.Refunded != 0 {
				t.Fatalf("refunded before the provider confirmed: %+v", got)
			}
			if n, err := e.svc.RetryRefunds(ctx); err != nil || n != 1 {
				t.Fatalf("RetryRefunds = %d, %v", n, err)
			}
			got := paid(o.ID)
			if got.Status != "partially_refunded" || got.Refunded != 9900 || countKind(got, "refund") != 1 {
				t.Fatalf("after the retried refund: %+v", got)
			}
			f.mu.Lock()
			calls, refunds := f.calls["POST /v3/refund/domestic/refunds"], len(f.refunds)
			amt := f.refunds[billing.CompactID(list[0].ID)]
			f.mu.Unlock()
			if calls != 2 || refunds != 1 || amt != 9900 {
				t.Fatalf("WeChat Pay saw %d refund calls for %d refunds (%d fen)", calls, refunds, amt)
			}
			r = admin.do("POST", "/api/v1/orders/"+o.ID+"/refunds", map[string]any{"amount": 10001})
			want(t, r, http.StatusUnprocessableEntity)
		})

		t.Run("order creation timed out, then retried", func(t *testing.T) {
			s2 := e.register("wx-student2@example.com")
			f.mu.Lock()
			f.hang["/v3/pay/transactions/native"] = 1
			f.mu.Unlock()
			r, _ := s2.orderWith(course, "k2", "wechatpay", "native")
			if r.status != http.StatusBadGateway {
				t.Fatalf("timed-out prepay: %d %s", r.status, r.body)
			}
			r, o2 := s2.orderWith(course, "k2", "wechatpay", "native")
			want(t, r, http.StatusOK)
			if o2.Status != "pending" || !strings.HasPrefix(o2.CheckoutURL, "weixin://") {
				t.Fatalf("retried order %+v", o2)
			}
			list, _ := st.ListOrders(ctx, billing.OrderQuery{AccountID: s2.id})
			if len(list) != 1 {
				t.Fatalf("%d orders after the retry, want 1", len(list))
			}

			// Its notification is lost: reconciliation finds it paid.
			f.mu.Lock()
			f.paid[billing.CompactID(o2.ID)] = "4200000002"
			f.mu.Unlock()
			e.advance(3 * time.Minute)
			rep, err := e.svc.Reconcile(ctx, 2*time.Minute)
			if err != nil || rep.Paid != 1 || rep.Errors != 0 {
				t.Fatalf("Reconcile = %+v, %v", rep, err)
			}
			if got := s2.receipt(o2.ID); got.Status != "paid" {
				t.Fatalf("after reconciliation: %+v", got)
			}
			// The notification arriving at last changes nothing.
			n := newWxNotification("n-late", wxTransaction(billing.CompactID(o2.ID), "4200000002", "SUCCESS", 19900, "CNY"), f.platform, time.Now())
			if code, _ := e.post("wechatpay", n.body, n.header); code != http.StatusNoContent {
				t.Fatalf("late notification: %d", code)
			}
			if got := s2.receipt(o2.ID); countKind(got, "payment") != 1 {
				t.Fatalf("paid twice: %+v", got)
			}
		})

		t.Run("paid after expiry", func(t *testing.T) {
			checkPaidAfterExpiry(t, e, "wx-student3@example.com", course, "wechatpay", "native", func(trade string) {
				n := newWxNotification("n-expired", wxTransaction(trade, "4200000003", "SUCCESS", 19900, "CNY"), f.platform, time.Now())
				if code, _ := e.post("wechatpay", n.body, n.header); code != http.StatusNoContent {
					t.Fatalf("notification after expiry: %d", code)
				}
			})
		})

		t.Run("h5 and wrong method", func(t *testing.T) {
			s4 := e.register("wx-student4@example.com")
			r, o4 := s4.orderWith(course, "k4", "wechatpay", "h5")
			want(t, r, http.StatusCreated)
			if !strings.HasPrefix(o4.CheckoutURL, "https://wx.tenpay.com/") || !strings.Contains(o4.CheckoutURL, "redirect_url=") {
				t.Fatalf("h5 order %+v", o4)
			}
			s5 := e.register("wx-student5@example.com")
			r, _ = s5.orderWith(course, "k5", "wechatpay", "jsapi")
			want(t, r, http.StatusUnprocessableEntity)
			r, _ = s5.orderWith(course, "k5", "stripe", "")
			want(t, r, http.StatusUnprocessableEntity)
		})
		if f.bad() != 0 {
			t.Fatalf("%d requests to WeChat Pay had a bad signature", f.bad())
		}
	})
}

// checkPaidAfterExpiry has a new student (email) order course with
// provider and method and lets the order expire; then notify delivers the
// provider's payment notification for the order's trade number: the
// money was taken, so the order must become paid.
func checkPaidAfterExpiry(t *testing.T, e *env, email, course, provider, method string, notify func(trade string)) {
	t.Helper()
	s := e.register(email)
	r, o := s.orderWith(course, "k3", provider, method)
	want(t, r, http.StatusCreated)
	e.advance(2 * time.Hour)
	if n, err := e.svc.ExpireOrders(context.Background()); err != nil || n < 1 {
		t.Fatalf("ExpireOrders = %d, %v", n, err)
	}
	if got := s.receipt(o.ID); got.Status != "expired" {
		t.Fatalf("not expired: %+v", got)
	}
	notify(billing.CompactID(o.ID))
	if got := s.receipt(o.ID); got.Status != "paid" {
		t.Fatalf("money taken after expiry must be honoured: %+v", got)
	}
}

func mustCourse(t testing.TB, st *store.Store, id string) classroom.Course {
	t.Helper()
	c, err := st.Course(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPricesDefaultToCNY: with a Chinese provider on, a price given
// without a currency is in CNY; without one, the currency is required.
func TestPricesDefaultToCNY(t *testing.T) {
	e, _ := wxEnv(t, storetest.SQLite(t))
	teacher := e.register("cny-teacher@example.com", classroom.RoleTeacher)
	r := teacher.do("POST", "/api/v1/courses", map[string]any{"title": "默认人民币"})
	want(t, r, http.StatusCreated)
	var c idJSON
	r.decode(t, &c)
	r = teacher.do("PUT", "/api/v1/courses/"+c.ID+"/price", map[string]any{"amount": 9900})
	want(t, r, http.StatusOK)
	var p struct{ Currency string }
	r.decode(t, &p)
	if p.Currency != "CNY" {
		t.Fatalf("currency %q, want CNY", p.Currency)
	}
	dev := newEnv(t, storetest.SQLite(t))
	teacher = dev.register("eur-teacher@example.com", classroom.RoleTeacher)
	r = teacher.do("POST", "/api/v1/courses", map[string]any{"title": "No default"})
	r.decode(t, &c)
	want(t, teacher.do("PUT", "/api/v1/courses/"+c.ID+"/price", map[string]any{"amount": 9900}), http.StatusUnprocessableEntity)
}
