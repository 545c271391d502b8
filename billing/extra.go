package billing

import "time"

// ExtraStatus is where an extra payment's automatic refund is.
type ExtraStatus string

// The extra payment statuses: refunding → refunded, or failed (the
// provider refused: a person must return the money).
const (
	ExtraRefunding ExtraStatus = "refunding"
	ExtraRefunded  ExtraStatus = "refunded"
	ExtraFailed    ExtraStatus = "failed"
)

// ExtraPayment is a second payment for an order already paid: the buyer
// paid twice (a QR code scanned on two devices, two checkouts), or the
// provider reported another payment for it. It is recorded once per
// provider payment (Provider, PaymentRef), enters the ledger as a payment
// and is refunded automatically under its ID, which then enters the
// ledger as a refund: the two balance. The order itself is unchanged.
type ExtraPayment struct {
	ID          string
	OrderID     string
	Provider    string
	PaymentRef  string // the provider's reference of the second payment
	EventID     string // the event that reported it
	Money       Money
	Status      ExtraStatus
	RefundRef   string // the provider's reference of its refund
	Note        string
	CreatedAt   time.Time
	CompletedAt time.Time
}

// NoticeAutoRefund is the notice a buyer gets when money they paid twice
// was returned automatically. Its values: "title" (the course), "amount"
// (e.g. "199.00 CNY"), "order" (the order's ID) and "reason":
// "paid_twice_same_order" or "course_already_owned".
const NoticeAutoRefund = "payment.auto_refunded"
