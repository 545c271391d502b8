package billing

import (
	"time"
	"unicode/utf8"
)

// RefundStatus is where a refund is: requested → declined, or requested
// → processing → succeeded / failed. An admin's own refund starts at
// processing.
type RefundStatus string

// The refund statuses.
const (
	RefundRequested  RefundStatus = "requested"
	RefundDeclined   RefundStatus = "declined"
	RefundProcessing RefundStatus = "processing"
	RefundSucceeded  RefundStatus = "succeeded"
	RefundFailed     RefundStatus = "failed"
)

// Open reports whether the refund still awaits a decision or the provider.
func (s RefundStatus) Open() bool { return s == RefundRequested || s == RefundProcessing }

// Refund is money asked back for an order, and what became of it.
type Refund struct {
	ID        string
	OrderID   string
	AccountID string // the buyer
	CourseID  string
	TeacherID string
	Status    RefundStatus
	// Requested is what the student asked for (0: everything left);
	// Amount what was approved.
	Requested   int64
	Amount      int64
	Currency    string
	Reason      string // the student's
	Note        string // the decider's
	RequestedBy string
	DecidedBy   string
	ProviderRef string
	CreatedAt   time.Time
	DecidedAt   time.Time
	CompletedAt time.Time
}

// MaxRefundText bounds a refund's reason and note, in runes.
const MaxRefundText = 2000

func checkRefundText(field, s string) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxRefundText {
		return Invalid(field, "must be valid text of at most 2000 characters")
	}
	return nil
}

// RefundAllowed applies a course's refund policy to a student's request
// at now: within the window after payment, and while fewer than the set
// share of the course's lessons (total, of which passed are over) have
// passed.
func RefundAllowed(o Order, p Price, total, passed int, now time.Time) error {
	if !o.Status.Owns() {
		return ErrOrderState
	}
	if now.After(o.PaidAt.Add(p.RefundWindow)) {
		return ErrRefundNotAllowed
	}
	if total > 0 && passed*100 >= p.RefundLessonsPercent*total {
		return ErrRefundNotAllowed
	}
	return nil
}
