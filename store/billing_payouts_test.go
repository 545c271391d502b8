package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

// testBillingStatements: a teacher's monthly statements add up to the
// ledger (payments and refunds per month and currency), commission and
// net are exact integers, an override replaces the default, and a paid
// statement is frozen and paid once.
func testBillingStatements(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	admin := mkAccount(t, s, fmt.Sprintf("admin-%d@example.org", time.Now().UnixNano()), classroom.RoleAdmin)
	now := t0.AddDate(0, 3, 0)
	svc, err := billing.New(billing.Config{Store: s, CommissionBps: 1000, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	// Ledger: May 3 payments of 4900 EUR and one refund of 1234; June one
	// payment of 333 EUR and one of 19900 CNY.
	type line struct {
		at     time.Time
		kind   billing.LedgerKind
		amount int64
		cur    string
	}
	may, june := t0, t0.AddDate(0, 1, 0)
	lines := []line{{may, billing.LedgerPayment, 4900, "EUR"}, {may, billing.LedgerPayment, 4900, "EUR"},
		{may, billing.LedgerPayment, 4900, "EUR"}, {may.Add(time.Hour), billing.LedgerRefund, 1234, "EUR"},
		{may, billing.LedgerCreated, 4900, "EUR"}, {june, billing.LedgerPayment, 333, "EUR"},
		{june, billing.LedgerPayment, 19900, "CNY"}, {june, billing.LedgerRejected, 5, "CNY"}}
	ledger := map[string][2]int64{} // month/currency → payments, refunds
	for i, l := range lines {
		o := mkOrder(f, fmt.Sprintf("k%d", i))
		o.Currency, o.Status = l.cur, billing.StatusPaid
		btx(t, s, func(tx billing.Tx) error {
			if err := tx.InsertOrder(ctx, o); err != nil {
				return err
			}
			return tx.AppendLedger(ctx, billing.LedgerEntry{OrderID: o.ID, Kind: l.kind,
				Money: billing.Money{Amount: l.amount, Currency: l.cur}, CourseID: o.CourseID,
				TeacherID: o.TeacherID, AccountID: o.AccountID, At: l.at})
		})
		k := billing.Month(l.at) + "/" + l.cur
		v := ledger[k]
		switch l.kind {
		case billing.LedgerPayment:
			v[0] += l.amount
		case billing.LedgerRefund:
			v[1] += l.amount
		}
		ledger[k] = v
	}
	list, err := svc.Statements(ctx, f.teacher, f.teacher.ID, "", "")
	if err != nil || len(list) != 3 {
		t.Fatalf("Statements = %+v, %v", list, err)
	}
	for _, st := range list {
		v := ledger[st.Month+"/"+st.Currency]
		if st.Gross != v[0] || st.Refunds != v[1] || st.Gross-st.Refunds-st.Commission != st.Net ||
			st.Commission != billing.Commission(st.Gross-st.Refunds, 1000) || st.Status != billing.StatementOpen {
			t.Errorf("statement %+v does not add up to the ledger %v", st, v)
		}
	}
	if may := list[0]; may.Month != "2030-05" || may.Orders != 3 || may.Gross != 14700 || may.Refunds != 1234 ||
		may.Commission != 1347 || may.Net != 12119 {
		t.Fatalf("May: %+v", may)
	}
	// A teacher's override.
	bps := 250
	if err := svc.SetCommission(ctx, f.teacher, f.teacher.ID, &bps); !errors.Is(err, classroom.ErrForbidden) {
		t.Fatalf("teacher setting their own commission: %v", err)
	}
	if err := svc.SetCommission(ctx, admin, f.teacher.ID, &bps); err != nil {
		t.Fatal(err)
	}
	list, _ = svc.Statements(ctx, admin, f.teacher.ID, "2030-05", "2030-05")
	if len(list) != 1 || list[0].CommissionBps != 250 || list[0].Commission != 337 || list[0].Net != 13129 {
		t.Fatalf("with a 2.5%% override: %+v", list)
	}
	// Paid: frozen, once.
	if _, err := svc.MarkStatementPaid(ctx, f.teacher, f.teacher.ID, "2030-05", "EUR", ""); !errors.Is(err, classroom.ErrForbidden) {
		t.Fatalf("teacher marking paid: %v", err)
	}
	if _, err := svc.MarkStatementPaid(ctx, admin, f.teacher.ID, "2030-08", "EUR", ""); err == nil {
		t.Fatal("marked the current month paid")
	}
	paid, err := svc.MarkStatementPaid(ctx, admin, f.teacher.ID, "2030-05", "EUR", "SEPA 42")
	if err != nil || paid.Status != billing.StatementPaid || paid.Net != 13129 {
		t.Fatalf("MarkStatementPaid = %+v, %v", paid, err)
	}
	if _, err := svc.MarkStatementPaid(ctx, admin, f.teacher.ID, "2030-05", "EUR", "again"); !errors.Is(err, billing.ErrStatementPaid) {
		t.Fatalf("paid twice: %v", err)
	}
	if err := svc.SetCommission(ctx, admin, f.teacher.ID, nil); err != nil {
		t.Fatal(err)
	}
	list, _ = svc.Statements(ctx, f.teacher, f.teacher.ID, "", "")
	if list[0].Status != billing.StatementPaid || list[0].CommissionBps != 250 || list[0].PaidRef != "SEPA 42" ||
		list[1].CommissionBps != 1000 {
		t.Fatalf("after paying May and removing the override: %+v", list)
	}
}
