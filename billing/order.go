package billing

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Status is where an order is in its life.
type Status string

// The order statuses: pending → paid → partially_refunded → refunded, or
// pending → expired / cancelled.
const (
	StatusPending           Status = "pending"
	StatusPaid              Status = "paid"
	StatusPartiallyRefunded Status = "partially_refunded"
	StatusRefunded          Status = "refunded"
	StatusExpired           Status = "expired"
	StatusCancelled         Status = "cancelled"
)

// CanBecome reports whether an order may move from s to next. An expired
// or cancelled order may still become paid: when the provider confirms a
// payment that raced the expiry, the money was taken and must be honoured
// (and can then be refunded).
func (s Status) CanBecome(next Status) bool {
	switch s {
	case StatusPending:
		return next == StatusPaid || next == StatusExpired || next == StatusCancelled
	case StatusExpired, StatusCancelled:
		return next == StatusPaid
	case StatusPaid, StatusPartiallyRefunded:
		return next == StatusPartiallyRefunded || next == StatusRefunded
	}
	return false
}

// Owns reports whether an order in status s gives access to its course.
func (s Status) Owns() bool { return s == StatusPaid || s == StatusPartiallyRefunded }

// Order is one student's purchase of one course.
type Order struct {
	ID          string
	AccountID   string
	CourseID    string
	CourseTitle string // filled on reads
	TeacherID   string
	Status      Status
	ListAmount  int64 // the course's price when ordered
	Discount    int64
	Amount      int64 // charged: ListAmount - Discount
	Currency    string
	CouponID    string
	CouponCode  string
	// IdempotencyKey and RequestHash make a repeated create return the
	// same order.
	IdempotencyKey string
	RequestHash    string
	Provider       string
	Method         string // the provider's checkout method: "native", "h5", "page", …
	CheckoutRef    string // the provider's checkout (Stripe Checkout Session ID)
	CheckoutURL    string
	PaymentRef     string // the provider's payment (Stripe PaymentIntent ID)
	Refunded       int64  // refunded so far
	RefundPending  int64  // approved, not yet confirmed by the provider
	// Version increases with every update; stores update an order only if
	// its stored version is Version-1.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt time.Time // a pending order expires then
	PaidAt    time.Time
}

// Money is the amount charged.
func (o Order) Money() Money { return Money{Amount: o.Amount, Currency: o.Currency} }

// Refundable is what may still be refunded.
func (o Order) Refundable() int64 { return o.Amount - o.Refunded - o.RefundPending }

// next returns o moved to status st at now, with its version bumped.
func (o Order) next(st Status, now time.Time) (Order, error) {
	if st != o.Status && !o.Status.CanBecome(st) {
		return o, ErrOrderState
	}
	o.Status = st
	o.Version++
	o.UpdatedAt = now.UTC().Truncate(time.Millisecond)
	return o, nil
}

// bump returns o with its version bumped and no status change.
func (o Order) bump(now time.Time) Order {
	o.Version++
	o.UpdatedAt = now.UTC().Truncate(time.Millisecond)
	return o
}

// RequestHash identifies an order request's body, to tell a replay from a
// different request under the same Idempotency-Key.
func RequestHash(courseID, couponCode, provider, method string) string {
	b := "order v1\x00" + courseID + "\x00" + couponCode
	if provider != "" {
		b += "\x00" + provider + "\x00" + method
	}
	h := sha256.Sum256([]byte(b))
	return hex.EncodeToString(h[:])
}

// CheckIdempotencyKey validates an Idempotency-Key: 1–255 visible ASCII
// characters.
func CheckIdempotencyKey(k string) error {
	if len(k) == 0 || len(k) > 255 {
		return ErrIdempotencyKey
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return ErrIdempotencyKey
		}
	}
	return nil
}

// Entitlement says an account may use a paid course, thanks to an order.
type Entitlement struct {
	AccountID string
	CourseID  string
	OrderID   string
	GrantedAt time.Time
	RevokedAt time.Time // zero while active
}

// Active reports whether the entitlement still grants access.
func (e Entitlement) Active() bool { return e.OrderID != "" && e.RevokedAt.IsZero() }

// CompactID writes an order's or refund's UUID without its dashes (32
// characters), for providers whose merchant numbers allow at most 32.
func CompactID(id string) string { return strings.ReplaceAll(id, "-", "") }

// ExpandID reverses CompactID; "" when s is not one.
func ExpandID(s string) string {
	if len(s) != 32 {
		return ""
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return ""
	}
	return u.String()
}
