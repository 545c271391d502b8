package store

import (
	"context"
	"strings"
	"testing"

	"github.com/lectern/lectern/billing"
)

// testBillingLedgerAppendOnly: the database itself refuses to change or
// remove a ledger entry (triggers on both backends), and an order's
// checkout method is stored.
func testBillingLedgerAppendOnly(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	o := mkOrder(f, "k")
	o.Provider, o.Method = "wechatpay", "native"
	btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o) })
	if got, err := s.Order(ctx, o.ID); err != nil || got.Method != "native" {
		t.Fatalf("Order = %+v, %v", got, err)
	}
	btx(t, s, func(tx billing.Tx) error {
		return tx.AppendLedger(ctx, billing.LedgerEntry{OrderID: o.ID, Kind: billing.LedgerPayment, Money: o.Money(),
			CourseID: o.CourseID, TeacherID: o.TeacherID, AccountID: o.AccountID, At: t0})
	})
	for _, stmt := range []string{
		"UPDATE billing_ledger SET amount = 1 WHERE order_id = ?",
		"DELETE FROM billing_ledger WHERE order_id = ?",
	} {
		_, err := s.db.exec(ctx, stmt, o.ID)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only refusal", stmt, err)
		}
	}
	if l, err := s.Ledger(ctx, o.ID); err != nil || len(l) != 1 || l[0].Money != o.Money() {
		t.Fatalf("ledger after the refused changes: %+v, %v", l, err)
	}
}
