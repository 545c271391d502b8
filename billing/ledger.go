package billing

import "time"

// LedgerKind is what a ledger entry records.
type LedgerKind string

// The ledger entry kinds. Revenue counts payment (gross) and refund.
const (
	LedgerCreated   LedgerKind = "created"   // order created (amount due)
	LedgerPayment   LedgerKind = "payment"   // money received
	LedgerRejected  LedgerKind = "rejected"  // a payment event that did not match the order
	LedgerExpired   LedgerKind = "expired"   // pending order expired
	LedgerCancelled LedgerKind = "cancelled" // pending order cancelled or its payment failed
	LedgerRefund    LedgerKind = "refund"    // money returned
)

// LedgerEntry is one line of the append-only ledger. Entries are never
// changed or removed; each order's entries are numbered from 1.
type LedgerEntry struct {
	OrderID   string
	Seq       int // assigned by the store
	Kind      LedgerKind
	Money     Money
	CourseID  string
	TeacherID string
	AccountID string // the buyer
	At        time.Time
	Ref       string // provider event, payment or refund reference
	ActorID   string // who caused it ("" for the provider)
	Note      string
}

// Month is the revenue month of t, "2006-01" in UTC.
func Month(t time.Time) string { return t.UTC().Format("2006-01") }

func entry(o Order, kind LedgerKind, amount int64, now time.Time, ref, actor, note string) LedgerEntry {
	return LedgerEntry{OrderID: o.ID, Kind: kind, Money: Money{Amount: amount, Currency: o.Currency},
		CourseID: o.CourseID, TeacherID: o.TeacherID, AccountID: o.AccountID,
		At: now.UTC().Truncate(time.Millisecond), Ref: ref, ActorID: actor, Note: note}
}
