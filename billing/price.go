package billing

import (
	"time"
)

// Refund policy defaults for a course without its own.
const (
	DefaultRefundWindow         = 7 * 24 * time.Hour
	DefaultRefundLessonsPercent = 30
	MaxRefundWindow             = 365 * 24 * time.Hour
)

// Price is what a course costs and its refund policy. A course without a
// Price, or with Amount 0, is free.
type Price struct {
	CourseID string
	Money
	// RefundWindow is how long after paying a student may ask for a
	// refund.
	RefundWindow time.Duration
	// RefundLessonsPercent: a student may ask for a refund only while
	// fewer than this share of the course's lessons have passed.
	RefundLessonsPercent int
	UpdatedAt            time.Time
}

// Free reports whether the price asks for nothing.
func (p Price) Free() bool { return p.Amount == 0 }

// PriceInput sets a course's price; nil policy fields take the defaults.
type PriceInput struct {
	Amount               int64
	Currency             string
	RefundWindowDays     *int
	RefundLessonsPercent *int
}

// NewPrice validates in for courseID.
func NewPrice(courseID string, in PriceInput, now time.Time) (Price, error) {
	p := Price{CourseID: courseID, RefundWindow: DefaultRefundWindow,
		RefundLessonsPercent: DefaultRefundLessonsPercent, UpdatedAt: now.UTC().Truncate(time.Millisecond)}
	if err := checkAmount("amount", in.Amount, true); err != nil {
		return p, err
	}
	cur, err := CheckCurrency("currency", in.Currency)
	if err != nil {
		return p, err
	}
	p.Money = Money{Amount: in.Amount, Currency: cur}
	if d := in.RefundWindowDays; d != nil {
		// Bounded in days before the conversion: a large count would
		// overflow time.Duration and wrap into a small window.
		if *d < 0 || *d > int(MaxRefundWindow/(24*time.Hour)) {
			return p, Invalid("refund_window_days", "must be between 0 and 365")
		}
		p.RefundWindow = time.Duration(*d) * 24 * time.Hour
	}
	if pc := in.RefundLessonsPercent; pc != nil {
		if *pc < 0 || *pc > 100 {
			return p, Invalid("refund_lessons_percent", "must be between 0 and 100")
		}
		p.RefundLessonsPercent = *pc
	}
	return p, nil
}
