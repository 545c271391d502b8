package content

import (
	"time"

	"github.com/lectern/lectern/classroom"
)

// Review is where a material stands in review. A material added to a
// published course by an account that is neither trusted nor an
// administrator is pending until a reviewer approves it, and hidden from
// students meanwhile; a rejected one stays hidden, with the reviewer's
// reason shown to the teacher.
type Review string

// The review states.
const (
	ReviewApproved Review = "approved"
	ReviewPending  Review = "pending"
	ReviewRejected Review = "rejected"
)

// Approved reports whether students may see m (if the access policy lets
// them see the course's materials at all).
func (m Material) Approved() bool { return m.Review == ReviewApproved || m.Review == "" }

// Decide records a reviewer's verdict on a pending material: approve, or
// reject with a reason (classroom.CheckReviewReason, as for a course).
// ErrNotPending when m is not pending. Who may review is the caller's
// decision.
func (m *Material) Decide(approve bool, reason, by string, now time.Time) error {
	if m.Review != ReviewPending {
		return ErrNotPending
	}
	next := *m
	if approve {
		next.Review, next.ReviewNote = ReviewApproved, ""
	} else {
		r, err := classroom.CheckReviewReason(reason)
		if err != nil {
			return err
		}
		next.Review, next.ReviewNote = ReviewRejected, r
	}
	next.ReviewedBy, next.ReviewedAt = by, now.UTC().Truncate(time.Millisecond)
	*m = next
	return nil
}
