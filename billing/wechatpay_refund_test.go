package billing_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// accessLog records AccessChanged calls.
type accessLog struct {
	mu    sync.Mutex // guards calls
	calls []string
}

func (a *accessLog) AccessChanged(accountID, courseID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, accountID+"/"+courseID)
}

func (a *accessLog) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.calls)
}

// wxPaidOrder has a teacher (prefix-teacher@…) sell a course titled
// title for 199 CNY to a student (prefix-student@…), who orders it with
// WeChat Pay's QR code and pays it (transaction 4200000001, notified).
func wxPaidOrder(t *testing.T, e *env, f *fakeWeChat, prefix, title string) (student *client, courseID string, o orderJSON) {
	t.Helper()
	teacher := e.register(prefix+"-teacher@example.com", classroom.RoleTeacher)
	courseID = teacher.cnyCourse(title, 19900)
	student = e.register(prefix + "-student@example.com")
	r, o := student.orderWith(courseID, "k1", "wechatpay", "native")
	want(t, r, http.StatusCreated)
	paid := newWxNotification("n-paid", wxTransaction(billing.CompactID(o.ID), "4200000001", "SUCCESS", 19900, "CNY"), f.platform, time.Now())
	if code, body := e.post("wechatpay", paid.body, paid.header); code != http.StatusNoContent {
		t.Fatalf("payment notification: %d %s", code, body)
	}
	return student, courseID, o
}

// TestWeChatRefundNotifications: refunds WeChat Pay answers "processing"
// stay open until its signed refund notification says how they ended;
// REFUND.SUCCESS pays the refund back in the ledger and the order,
// REFUND.ABNORMAL fails it and makes its amount refundable again, a full
// refund revokes the course; replays, forgeries, tampered amounts and
// refunds Lectern never made change nothing. Both backends.
func TestWeChatRefundNotifications(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, f := wxEnv(t, st)
		ctx := context.Background()
		listener := &accessLog{}
		e.svc.SetAccessListener(listener)
		admin := e.register("wxr-admin@example.com", classroom.RoleAdmin)
		student, course, o := wxPaidOrder(t, e, f, "wxr", "概率论")
		trade := billing.CompactID(o.ID)
		f.mu.Lock()
		f.refundSt = "PROCESSING"
		f.mu.Unlock()

		// refund asks for a refund of amount (0: all that is left), which
		// WeChat Pay answers "processing"; it returns the open refund.
		refund := func(amount int64) billing.Refund {
			t.Helper()
			r := admin.do("POST", "/api/v1/orders/"+o.ID+"/refunds", map[string]any{"amount": amount})
			if r.status/100 == 2 {
				t.Fatalf("refund still processing answered %d %s", r.status, r.body)
			}
			list, err := st.ListRefunds(ctx, billing.RefundQuery{OrderID: o.ID, Status: billing.RefundProcessing})
			if err != nil || len(list) != 1 {
				t.Fatalf("processing refunds: %+v, %v", list, err)
			}
			return list[0]
		}
		deliver := func(n wxNotification) (int, string) {
			t.Helper()
			return e.post("wechatpay", n.body, n.header)
		}
		order := func() billing.Order {
			t.Helper()
			got, err := st.Order(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		storedRefund := func(id string) billing.Refund {
			t.Helper()
			got, err := st.Refund(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		r1 := refund(9900)
		no1 := billing.CompactID(r1.ID)
		if got := order(); got.Refunded != 0 || got.RefundPending != 9900 || got.Status != billing.StatusPaid {
			t.Fatalf("order while the refund is processing: %+v", got)
		}

		t.Run("bad refund notifications change nothing", func(t *testing.T) {
			now := time.Now()
			good := wxRefund(trade, no1, "50300001", "SUCCESS", 9900, 19900)
			forged := newWxNotice("r-forged", "REFUND.SUCCESS", "refund", good, rsaKeys()[2], now)
			stale := newWxNotice("r-stale", "REFUND.SUCCESS", "refund", good, f.platform, now.Add(-10*time.Minute))
			tampered := newWxNotice("r-tampered", "REFUND.SUCCESS", "refund", good, f.platform, now)
			tampered.body = []byte(strings.Replace(string(tampered.body), `"r-tampered"`, `"r-tamperex"`, 1))
			for name, n := range map[string]wxNotification{"forged": forged, "stale": stale, "tampered": tampered} {
				if code, body := deliver(n); code != http.StatusBadRequest || !strings.Contains(body, `"code":"FAIL"`) {
					t.Errorf("%s: %d %s, want 400 with code FAIL", name, code, body)
				}
			}
			other := wxRefund(trade, no1, "50300001", "SUCCESS", 9900, 19900)
			other["mchid"] = "1900000999"
			contradictory := wxRefund(trade, no1, "50300001", "PROCESSING", 9900, 19900)
			for name, res := range map[string]map[string]any{"other merchant": other, "status not the event's": contradictory} {
				if code, _ := deliver(newWxNotice("r-"+name, "REFUND.SUCCESS", "refund", res, f.platform, now)); code/100 != 4 {
					t.Errorf("%s: %d, want 4xx", name, code)
				}
			}
			// Signed by WeChat Pay, but not this refund's amount, or not a
			// refund Lectern made: acknowledged, nothing applied.
			for name, res := range map[string]map[string]any{
				"amount":         wxRefund(trade, no1, "50300001", "SUCCESS", 1, 19900),
				"unknown refund": wxRefund(trade, strings.Repeat("e", 32), "50300009", "SUCCESS", 9900, 19900),
				"unknown order":  wxRefund(strings.Repeat("f", 32), no1, "50300001", "SUCCESS", 9900, 19900),
			} {
				if code, body := deliver(newWxNotice("r-"+name, "REFUND.SUCCESS", "refund", res, f.platform, now)); code != http.StatusNoContent {
					t.Errorf("%s: %d %s, want 204 (acknowledged, not applied)", name, code, body)
				}
			}
			if got := order(); got.Refunded != 0 || got.RefundPending != 9900 {
				t.Fatalf("order after bad notifications: %+v", got)
			}
			if got := storedRefund(r1.ID); got.Status != billing.RefundProcessing {
				t.Fatalf("refund after bad notifications: %+v", got)
			}
		})

		t.Run("REFUND.SUCCESS applied once", func(t *testing.T) {
			ok := newWxNotice("r-ok", "REFUND.SUCCESS", "refund", wxRefund(trade, no1, "50300001", "SUCCESS", 9900, 19900), f.platform, time.Now())
			for i := range 3 {
				if code, body := deliver(ok); code != http.StatusNoContent || body != "" {
					t.Fatalf("delivery %d: %d %q", i, code, body)
				}
			}
			// WeChat Pay sending it again under a new notification ID
			// changes nothing either.
			again := newWxNotice("r-ok-again", "REFUND.SUCCESS", "refund", wxRefund(trade, no1, "50300001", "SUCCESS", 9900, 19900), f.platform, time.Now())
			if code, _ := deliver(again); code != http.StatusNoContent {
				t.Fatalf("second notification: %d", code)
			}
			got := order()
			if got.Status != billing.StatusPartiallyRefunded || got.Refunded != 9900 || got.RefundPending != 0 {
				t.Fatalf("order after REFUND.SUCCESS: %+v", got)
			}
			if rf := storedRefund(r1.ID); rf.Status != billing.RefundSucceeded || rf.ProviderRef != "50300001" || rf.CompletedAt.IsZero() {
				t.Fatalf("refund after REFUND.SUCCESS: %+v", rf)
			}
			if rc := student.receipt(o.ID); countKind(rc, "refund") != 1 {
				t.Fatalf("ledger after REFUND.SUCCESS: %+v", rc.Ledger)
			}
			// Nothing is left for the retry job to ask about.
			if n, err := e.svc.RetryRefunds(ctx); err != nil || n != 0 {
				t.Fatalf("RetryRefunds = %d, %v", n, err)
			}
			if err := e.svc.MayAccess(ctx, student.account(), mustCourse(t, st, course), ""); err != nil {
				t.Fatalf("a partial refund must keep the course: %v", err)
			}
		})

		t.Run("REFUND.ABNORMAL fails the refund", func(t *testing.T) {
			r2 := refund(0)
			if r2.Amount != 10000 {
				t.Fatalf("refund of what is left: %+v", r2)
			}
			no2 := billing.CompactID(r2.ID)
			abn := newWxNotice("r-abn", "REFUND.ABNORMAL", "refund", wxRefund(trade, no2, "50300002", "ABNORMAL", 10000, 19900), f.platform, time.Now())
			for range 2 {
				if code, body := deliver(abn); code != http.StatusNoContent {
					t.Fatalf("REFUND.ABNORMAL: %d %s", code, body)
				}
			}
			if rf := storedRefund(r2.ID); rf.Status != billing.RefundFailed || !strings.Contains(rf.Note, "REFUND.ABNORMAL") {
				t.Fatalf("refund after REFUND.ABNORMAL: %+v", rf)
			}
			got := order()
			if got.Status != billing.StatusPartiallyRefunded || got.Refunded != 9900 || got.RefundPending != 0 || got.Refundable() != 10000 {
				t.Fatalf("order after REFUND.ABNORMAL: %+v", got)
			}
			// A success notified after the refund was recorded failed is
			// not applied (it is logged for a person to look at).
			late := newWxNotice("r-late", "REFUND.SUCCESS", "refund", wxRefund(trade, no2, "50300002", "SUCCESS", 10000, 19900), f.platform, time.Now())
			if code, _ := deliver(late); code != http.StatusNoContent {
				t.Fatalf("late success: %d", code)
			}
			if got := order(); got.Refunded != 9900 {
				t.Fatalf("a failed refund was paid back: %+v", got)
			}
			if rc := student.receipt(o.ID); countKind(rc, "refund") != 1 {
				t.Fatalf("ledger after REFUND.ABNORMAL: %+v", rc.Ledger)
			}
		})

		t.Run("full refund by notification revokes the course", func(t *testing.T) {
			r3 := refund(0)
			ok := newWxNotice("r-full", "REFUND.SUCCESS", "refund", wxRefund(trade, billing.CompactID(r3.ID), "50300003", "SUCCESS", 10000, 19900), f.platform, time.Now())
			if code, _ := deliver(ok); code != http.StatusNoContent {
				t.Fatalf("REFUND.SUCCESS: %d", code)
			}
			got := order()
			if got.Status != billing.StatusRefunded || got.Refunded != 19900 || got.RefundPending != 0 {
				t.Fatalf("order after the full refund: %+v", got)
			}
			if err := e.svc.MayAccess(ctx, student.account(), mustCourse(t, st, course), ""); err == nil {
				t.Fatal("the course is still open after a full refund")
			}
			if listener.count() != 1 {
				t.Fatalf("access listener heard %d changes, want 1", listener.count())
			}
			ledger, err := st.Ledger(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			var in, out int64
			for _, l := range ledger {
				switch l.Kind {
				case billing.LedgerPayment:
					in += l.Money.Amount
				case billing.LedgerRefund:
					out += l.Money.Amount
				}
			}
			if in != 19900 || out != 19900 {
				t.Fatalf("ledger: paid %d, refunded %d; want 19900 both", in, out)
			}
		})
		if f.bad() != 0 {
			t.Fatalf("%d requests to WeChat Pay had a bad signature", f.bad())
		}
	})
}
