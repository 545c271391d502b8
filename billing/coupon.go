package billing

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Coupon takes a percentage or a fixed amount off one course, or off all
// of a teacher's courses, until it expires or has been redeemed
// MaxRedemptions times. An order carries at most one coupon. A redemption
// is counted when the order is created and given back if the order
// expires or is cancelled, in the same transaction, so the count is exact
// under concurrent checkouts.
type Coupon struct {
	ID        string
	TeacherID string
	CourseID  string // "" for all the teacher's courses
	Code      string // normalised: upper case
	// Exactly one of PercentOff (1–100) and AmountOff (with its currency)
	// is set.
	PercentOff     int
	AmountOff      Money
	ExpiresAt      time.Time
	MaxRedemptions int
	Redeemed       int
	CreatedAt      time.Time
}

// CouponInput creates a coupon.
type CouponInput struct {
	Code           string
	CourseID       string
	PercentOff     int
	AmountOff      int64
	Currency       string
	ExpiresAt      time.Time
	MaxRedemptions int
}

// Limits on coupons.
const (
	MinCouponCode      = 3
	MaxCouponCode      = 32
	MaxCouponRedeem    = 1_000_000
	maxCouponLifetimeY = 10
)

// NormalizeCode upper-cases a coupon code and checks it is 3–32 of A–Z,
// 0–9, "-" and "_".
func NormalizeCode(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if len(c) < MinCouponCode || len(c) > MaxCouponCode {
		return "", Invalid("code", "must be 3 to 32 letters, digits, - or _")
	}
	for _, r := range c {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "", Invalid("code", "must be 3 to 32 letters, digits, - or _")
		}
	}
	return c, nil
}

// NewCoupon validates in for teacherID. Whether CourseID is the teacher's
// is the caller's to check.
func NewCoupon(teacherID string, in CouponInput, now time.Time) (Coupon, error) {
	now = now.UTC().Truncate(time.Millisecond)
	c := Coupon{ID: uuid.NewString(), TeacherID: teacherID, CourseID: in.CourseID, CreatedAt: now,
		MaxRedemptions: in.MaxRedemptions, ExpiresAt: in.ExpiresAt.UTC().Truncate(time.Millisecond)}
	var err error
	if c.Code, err = NormalizeCode(in.Code); err != nil {
		return c, err
	}
	switch {
	case in.PercentOff != 0 && in.AmountOff != 0:
		return c, Invalid("percent_off", "give either percent_off or amount_off, not both")
	case in.PercentOff != 0:
		if in.PercentOff < 1 || in.PercentOff > 100 {
			return c, Invalid("percent_off", "must be between 1 and 100")
		}
		if in.Currency != "" {
			return c, Invalid("currency", "only goes with amount_off")
		}
		c.PercentOff = in.PercentOff
	case in.AmountOff != 0:
		if err := checkAmount("amount_off", in.AmountOff, false); err != nil {
			return c, err
		}
		cur, err := CheckCurrency("currency", in.Currency)
		if err != nil {
			return c, err
		}
		c.AmountOff = Money{Amount: in.AmountOff, Currency: cur}
	default:
		return c, Invalid("percent_off", "give percent_off or amount_off")
	}
	if !c.ExpiresAt.After(now) || c.ExpiresAt.After(now.AddDate(maxCouponLifetimeY, 0, 0)) {
		return c, Invalid("expires_at", "must be in the future, within 10 years")
	}
	if c.MaxRedemptions < 1 || c.MaxRedemptions > MaxCouponRedeem {
		return c, Invalid("max_redemptions", "must be between 1 and 1000000")
	}
	return c, nil
}

// Discount is what c takes off price for a course of teacherID at now:
// never more than the price. ErrCouponInvalid when it does not apply.
// (Whether redemptions are left is the store's to decide, atomically.)
func (c Coupon) Discount(price Money, courseID, teacherID string, now time.Time) (int64, error) {
	switch {
	case c.TeacherID != teacherID, c.CourseID != "" && c.CourseID != courseID:
		return 0, ErrCouponInvalid
	case !now.Before(c.ExpiresAt):
		return 0, ErrCouponInvalid
	case c.Redeemed >= c.MaxRedemptions:
		return 0, ErrCouponExhausted
	}
	if c.PercentOff > 0 {
		// Round the discount down: the teacher never gets less than the
		// exact percentage.
		return price.Amount * int64(c.PercentOff) / 100, nil
	}
	if c.AmountOff.Currency != price.Currency {
		return 0, ErrCouponInvalid
	}
	return min(c.AmountOff.Amount, price.Amount), nil
}
