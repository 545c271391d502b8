package billing_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// ledgerSums adds an order's ledger payments and refunds.
func ledgerSums(t *testing.T, st *store.Store, orderID string) (paid, refunded int64) {
	t.Helper()
	ledger, err := st.Ledger(context.Background(), orderID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ledger {
		switch l.Kind {
		case billing.LedgerPayment:
			paid += l.Money.Amount
		case billing.LedgerRefund:
			refunded += l.Money.Amount
		}
	}
	return paid, refunded
}

// autoRefundNotices lists the account's automatic-refund notices.
func autoRefundNotices(t *testing.T, st *store.Store, accountID string) []classroom.Notice {
	t.Helper()
	list, err := st.Notices(context.Background(), accountID, classroom.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var out []classroom.Notice
	for _, n := range list {
		if n.Kind == billing.NoticeAutoRefund {
			out = append(out, n)
		}
	}
	return out
}

// TestSecondPaymentSameOrder: a second payment for an order already paid
// (another PaymentIntent for the same checkout) is recorded once however
// many events report it, enters the ledger and is returned through the
// provider against that second payment, under the extra payment's ID as
// idempotency key; the ledger balances, the order and the buyer's access
// are unchanged, the teacher's statement counts one order, and the buyer
// gets one notice. Both backends.
func TestSecondPaymentSameOrder(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s := newStripeSetup(t, st)
		e, now, ctx := s.e, time.Now(), context.Background()
		if code, out := s.deliver("evt_paid", "checkout.session.completed", s.paid(), now, whsec); code != 200 || out != "paid" {
			t.Fatalf("paid: %d %q", code, out)
		}
		again := s.paid()
		again.PaymentIntent = "pi_second"
		if code, out := s.deliver("evt_again", "checkout.session.completed", again, now, whsec); code != 200 || out != string(billing.OutcomePaidAgain) {
			t.Fatalf("second payment: %d %q", code, out)
		}
		// The same delivery again, and another event reporting the same
		// second payment: nothing more.
		if code, out := s.deliver("evt_again", "checkout.session.completed", again, now, whsec); code != 200 || out != "duplicate" {
			t.Fatalf("replayed second payment: %d %q", code, out)
		}
		if code, out := s.deliver("evt_again_2", "checkout.session.completed", again, now, whsec); code != 200 || out != "stale" {
			t.Fatalf("second payment reported again: %d %q", code, out)
		}
		e.stripe.mu.Lock()
		refunded := append([]string(nil), e.stripe.refunded...)
		e.stripe.mu.Unlock()
		if len(refunded) != 1 || refunded[0] != "pi_second 4900" {
			t.Fatalf("Stripe refunds %q, want one of pi_second for 4900", refunded)
		}
		rc := s.student.receipt(s.order.ID)
		if rc.Status != "paid" || rc.Refunded != 0 || countKind(rc, "payment") != 2 || countKind(rc, "refund") != 1 {
			t.Fatalf("receipt after the second payment: %+v", rc)
		}
		var x struct {
			ExtraPayments []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
				Amount int64  `json:"amount"`
			} `json:"extra_payments"`
		}
		s.student.do("GET", "/api/v1/orders/"+s.order.ID, nil).decode(t, &x)
		if len(x.ExtraPayments) != 1 || x.ExtraPayments[0].Status != "refunded" || x.ExtraPayments[0].Amount != 4900 {
			t.Fatalf("extra payments %+v", x.ExtraPayments)
		}
		e.stripe.mu.Lock()
		keyed := e.stripe.keys["lectern-refund-"+x.ExtraPayments[0].ID]
		e.stripe.mu.Unlock()
		if keyed != 1 {
			t.Fatalf("the refund's idempotency key was used %d times, want 1", keyed)
		}
		if paid, back := ledgerSums(t, st, s.order.ID); paid != 9800 || back != 4900 {
			t.Fatalf("ledger: paid %d, refunded %d; want 9800 and 4900", paid, back)
		}
		if s.joinStatus() != http.StatusOK {
			t.Fatal("the first payment's access was lost")
		}
		rows, err := st.Revenue(ctx, billing.RevenueQuery{TeacherID: s.teacher.id})
		if err != nil || len(rows) != 1 || rows[0].Payments != 1 || rows[0].Gross != 9800 || rows[0].Refunds != 4900 || rows[0].Net() != 4900 {
			t.Fatalf("revenue %+v, %v", rows, err)
		}
		ns := autoRefundNotices(t, st, s.student.id)
		if len(ns) != 1 || ns[0].Vars["amount"] != "49.00 EUR" || ns[0].Vars["order"] != s.order.ID ||
			ns[0].Vars["reason"] != "paid_twice_same_order" || ns[0].Vars["title"] != "Stripe course" {
			t.Fatalf("notices %+v", ns)
		}
		if n, err := e.svc.RetryRefunds(ctx); err != nil || n != 0 {
			t.Fatalf("RetryRefunds = %d, %v; nothing was left", n, err)
		}
	})
}

// TestSecondPaymentRefundRetried: WeChat Pay reports a second
// transaction for an order already paid; the refund's answer is lost, so
// it stays refunding with nothing in the ledger, and RetryRefunds returns
// it under the same out_refund_no, once. A third, whose refund WeChat Pay
// answers "processing", is finished by its refund notification. Both
// backends.
func TestSecondPaymentRefundRetried(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, f := wxEnv(t, st)
		ctx := context.Background()
		student, _, o := wxPaidOrder(t, e, f, "wx2", "数值分析")
		trade := billing.CompactID(o.ID)
		f.mu.Lock()
		f.hang["/v3/refund"] = 1
		f.mu.Unlock()
		second := newWxNotification("n-2", wxTransaction(trade, "4200000002", "SUCCESS", 19900, "CNY"), f.platform, time.Now())
		if code, _ := e.post("wechatpay", second.body, second.header); code != http.StatusNoContent {
			t.Fatalf("second payment: %d", code)
		}
		list, err := st.ExtraPayments(ctx, o.ID, "", 10)
		if err != nil || len(list) != 1 || list[0].Status != billing.ExtraRefunding || list[0].PaymentRef != "4200000002" {
			t.Fatalf("extra payments after a lost refund answer: %+v, %v", list, err)
		}
		if paid, back := ledgerSums(t, st, o.ID); paid != 39800 || back != 0 {
			t.Fatalf("ledger before the refund is confirmed: paid %d, refunded %d", paid, back)
		}
		if len(autoRefundNotices(t, st, student.id)) != 0 {
			t.Fatal("buyer told before the money was returned")
		}
		if n, err := e.svc.RetryRefunds(ctx); err != nil || n != 1 {
			t.Fatalf("RetryRefunds = %d, %v", n, err)
		}
		got, err := st.ExtraPayment(ctx, list[0].ID)
		if err != nil || got.Status != billing.ExtraRefunded || got.RefundRef == "" {
			t.Fatalf("extra payment after the retry: %+v, %v", got, err)
		}
		if paid, back := ledgerSums(t, st, o.ID); paid != 39800 || back != 19900 {
			t.Fatalf("ledger after the retry: paid %d, refunded %d", paid, back)
		}
		f.mu.Lock()
		calls, amt, refunds := f.calls["POST /v3/refund/domestic/refunds"], f.refunds[billing.CompactID(list[0].ID)], len(f.refunds)
		f.mu.Unlock()
		if calls != 2 || refunds != 1 || amt != 19900 {
			t.Fatalf("WeChat Pay saw %d refund calls for %d refunds (%d fen)", calls, refunds, amt)
		}
		if n, err := e.svc.RetryRefunds(ctx); err != nil || n != 0 {
			t.Fatalf("second RetryRefunds = %d, %v", n, err)
		}
		if ns := autoRefundNotices(t, st, student.id); len(ns) != 1 || ns[0].Vars["amount"] != "199.00 CNY" {
			t.Fatalf("notices %+v", ns)
		}
		if got := student.receipt(o.ID); got.Status != "paid" || got.Refunded != 0 {
			t.Fatalf("order after the second payment's refund: %+v", got)
		}

		// A third payment, whose refund WeChat Pay answers "processing":
		// its REFUND.SUCCESS notification finishes it, once.
		f.mu.Lock()
		f.refundSt = "PROCESSING"
		f.mu.Unlock()
		third := newWxNotification("n-3", wxTransaction(trade, "4200000003", "SUCCESS", 19900, "CNY"), f.platform, time.Now())
		if code, _ := e.post("wechatpay", third.body, third.header); code != http.StatusNoContent {
			t.Fatalf("third payment: %d", code)
		}
		open, err := st.ExtraPayments(ctx, o.ID, billing.ExtraRefunding, 10)
		if err != nil || len(open) != 1 || open[0].PaymentRef != "4200000003" {
			t.Fatalf("refunding extra payments: %+v, %v", open, err)
		}
		done := newWxNotice("r-3", "REFUND.SUCCESS", "refund",
			wxRefund(trade, billing.CompactID(open[0].ID), "50300033", "SUCCESS", 19900, 19900), f.platform, time.Now())
		for range 2 {
			if code, body := e.post("wechatpay", done.body, done.header); code != http.StatusNoContent {
				t.Fatalf("refund notification: %d %s", code, body)
			}
		}
		if got, err := st.ExtraPayment(ctx, open[0].ID); err != nil || got.Status != billing.ExtraRefunded || got.RefundRef != "50300033" {
			t.Fatalf("third payment after its refund notification: %+v, %v", got, err)
		}
		if paid, back := ledgerSums(t, st, o.ID); paid != 59700 || back != 39800 {
			t.Fatalf("ledger after the notified refund: paid %d, refunded %d", paid, back)
		}
		if ns := autoRefundNotices(t, st, student.id); len(ns) != 2 {
			t.Fatalf("%d notices, want 2", len(ns))
		}
		if f.bad() != 0 {
			t.Fatalf("%d requests to WeChat Pay had a bad signature", f.bad())
		}
	})
}
