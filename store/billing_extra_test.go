package store

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

// TestBillingExtraConformance: extra payments (one per provider
// payment, updated only from the status they are in, listed by order
// and status) and WeChat openids (one per account and AppID, the latest
// kept), on every backend.
func TestBillingExtraConformance(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Run("ExtraPayments", func(t *testing.T) { testBillingExtraPayments(t, b.open(t)) })
			t.Run("WeChatOpenIDs", func(t *testing.T) { testBillingOpenIDs(t, b.open(t)) })
		})
	}
}

func testBillingExtraPayments(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	o := mkOrder(f, "k")
	btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o) })
	x := billing.ExtraPayment{ID: uuid.NewString(), OrderID: o.ID, Provider: "dev", PaymentRef: "pi_2", EventID: "evt_2",
		Money: billing.Money{Amount: 4900, Currency: "EUR"}, Status: billing.ExtraRefunding, CreatedAt: t0}
	insert := func(p billing.ExtraPayment) bool {
		t.Helper()
		var fresh bool
		btx(t, s, func(tx billing.Tx) error {
			var err error
			fresh, err = tx.InsertExtraPayment(ctx, p)
			return err
		})
		return fresh
	}
	if !insert(x) {
		t.Fatal("first insert not fresh")
	}
	again := x
	again.ID, again.EventID = uuid.NewString(), "evt_3"
	if insert(again) {
		t.Fatal("the same provider payment recorded twice")
	}
	other := again
	other.PaymentRef = "pi_3"
	if !insert(other) {
		t.Fatal("another payment not recorded")
	}
	done := x
	done.Status, done.RefundRef, done.CompletedAt = billing.ExtraRefunded, "re_1", t0.Add(time.Minute)
	btx(t, s, func(tx billing.Tx) error { return tx.UpdateExtraPayment(ctx, done, billing.ExtraRefunding) })
	mustIs(t, s.BillingTx(ctx, func(tx billing.Tx) error { return tx.UpdateExtraPayment(ctx, done, billing.ExtraRefunding) }),
		classroom.ErrConflict)
	got, err := s.ExtraPayment(ctx, x.ID)
	if err != nil || got.Status != billing.ExtraRefunded || got.RefundRef != "re_1" || got.Money != x.Money ||
		!got.CompletedAt.Equal(done.CompletedAt) || got.PaymentRef != "pi_2" {
		t.Fatalf("ExtraPayment = %+v, %v", got, err)
	}
	if list, err := s.ExtraPayments(ctx, o.ID, "", 10); err != nil || len(list) != 2 {
		t.Fatalf("by order: %d, %v", len(list), err)
	}
	if list, err := s.ExtraPayments(ctx, "", billing.ExtraRefunding, 10); err != nil || len(list) != 1 || list[0].PaymentRef != "pi_3" {
		t.Fatalf("refunding: %+v, %v", list, err)
	}
	if _, err := s.ExtraPayment(ctx, uuid.NewString()); err == nil {
		t.Fatal("an unknown extra payment was found")
	}
	// The notice of its refund is written in the same transaction.
	n := classroom.NewNotice(f.student.ID, billing.NoticeAutoRefund, map[string]string{"amount": "49.00 EUR"}, t0)
	btx(t, s, func(tx billing.Tx) error { return tx.InsertNotice(ctx, n) })
	if list, err := s.Notices(ctx, f.student.ID, classroom.Page{Limit: 5}); err != nil || len(list) != 1 ||
		list[0].Kind != billing.NoticeAutoRefund || list[0].Vars["amount"] != "49.00 EUR" {
		t.Fatalf("notices %+v, %v", list, err)
	}
}

func testBillingOpenIDs(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	mustIs(t, func() error { _, err := s.WeChatOpenID(ctx, f.student.ID, "wx1"); return err }(), classroom.ErrNotFound)
	for _, id := range []string{"o_first", "o_second"} {
		btx(t, s, func(tx billing.Tx) error { return tx.PutWeChatOpenID(ctx, f.student.ID, "wx1", id, t0) })
	}
	btx(t, s, func(tx billing.Tx) error { return tx.PutWeChatOpenID(ctx, f.student.ID, "wx2", "o_other_app", t0) })
	if id, err := s.WeChatOpenID(ctx, f.student.ID, "wx1"); err != nil || id != "o_second" {
		t.Fatalf("openid %q, %v", id, err)
	}
	if id, err := s.WeChatOpenID(ctx, f.student.ID, "wx2"); err != nil || id != "o_other_app" {
		t.Fatalf("other app's openid %q, %v", id, err)
	}
}
