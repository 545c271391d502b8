package classroom

import (
	"time"
)

// CourseState is where a course stands in publishing. A course starts as a
// draft, its teacher submits it, a reviewer approves it (published, in the
// catalogue) or rejects it with a reason (back to draft). A published
// course may be unpublished (out of the catalogue; buyers keep access) and
// resubmitted; archiving is final and also keeps buyers' access.
type CourseState string

// The course states.
const (
	StateDraft       CourseState = "draft"
	StateInReview    CourseState = "in_review"
	StatePublished   CourseState = "published"
	StateUnpublished CourseState = "unpublished"
	StateArchived    CourseState = "archived"
)

// Valid reports whether s is a known state.
func (s CourseState) Valid() bool {
	switch s {
	case StateDraft, StateInReview, StatePublished, StateUnpublished, StateArchived:
		return true
	}
	return false
}

// MaxReviewReasonLen bounds a rejection's reason (runes).
const MaxReviewReasonLen = 2000

// CheckReviewReason validates the reason a reviewer gives for a
// rejection (of a course, a teacher application or a material):
// required, at most MaxReviewReasonLen runes, line breaks allowed; it
// returns it trimmed.
func CheckReviewReason(reason string) (string, error) {
	return checkBlock("reason", reason, 1, MaxReviewReasonLen)
}

// Review is a course's publishing record.
type Review struct {
	State CourseState
	// Revision counts the course's edits; SubmittedRevision is the one the
	// teacher submitted. A decision is only taken on the submitted one.
	Revision          int64
	SubmittedRevision int64
	SubmittedAt       time.Time
	Note              string // the reason of the last rejection, shown to the teacher
	ReviewedBy        string // account ID of the last decision's reviewer
	ReviewedAt        time.Time
}

// CanReview reports whether a may decide on courses in review.
func CanReview(a Account) bool {
	return a.Roles.Has(RoleAdmin) || a.Roles.Has(RoleReviewer)
}

// Listed reports whether the course is in the public catalogue and for
// sale.
func (c Course) Listed() bool { return c.State == StatePublished }

// VisibleTo reports whether someone with relation rel (and account a, zero
// when anonymous) may see the course: published courses to everyone; the
// others to its teacher, assistants, enrolled students and reviewers.
// Unpublished and archived courses stay visible to those who enrolled or
// bought.
func (c Course) VisibleTo(a Account, rel Relation) bool {
	return c.State == StatePublished || rel != RelationNone || (a.ID != "" && CanReview(a))
}

// Submit sends the course to review. Only its teacher may, from a draft,
// an unpublished course, or a course in review edited since it was
// submitted (a resubmission).
func (c *Course) Submit(by Account, rel Relation, now time.Time) error {
	if rel != RelationTeacher || c.TeacherID != by.ID {
		return ErrForbidden
	}
	switch {
	case c.State == StateDraft, c.State == StateUnpublished:
	case c.State == StateInReview && c.Revision != c.SubmittedRevision:
	default:
		return ErrCourseState
	}
	now = now.UTC().Truncate(time.Millisecond)
	c.State, c.SubmittedRevision, c.SubmittedAt = StateInReview, c.Revision, now
	c.UpdatedAt = now
	return nil
}

// Decision is a reviewer's verdict on the revision they reviewed.
type Decision struct {
	Approve  bool
	Reason   string // required to reject
	Revision int64  // the revision the reviewer saw
}

// Decide applies a reviewer's decision. The reviewer may not teach or
// assist the course; the course must be in review, unchanged since it was
// submitted and still at the revision the reviewer saw (ErrConflict
// otherwise).
func (c *Course) Decide(by Account, d Decision, now time.Time) error {
	if !CanReview(by) {
		return ErrForbidden
	}
	if r := RelationOf(*c, by.ID, false); r == RelationTeacher || r == RelationAssistant {
		return ErrOwnCourse
	}
	if c.State != StateInReview {
		return ErrCourseState
	}
	if c.Revision != c.SubmittedRevision || d.Revision != c.Revision {
		return ErrConflict
	}
	next := *c
	if d.Approve {
		next.State, next.Note = StatePublished, ""
	} else {
		reason, err := CheckReviewReason(d.Reason)
		if err != nil {
			return err
		}
		next.State, next.Note = StateDraft, reason
	}
	now = now.UTC().Truncate(time.Millisecond)
	next.ReviewedBy, next.ReviewedAt, next.UpdatedAt = by.ID, now, now
	*c = next
	return nil
}

// Unpublish takes a published course out of the catalogue; its teacher or
// an admin may. Enrolled students and buyers keep access.
func (c *Course) Unpublish(by Account, rel Relation, now time.Time) error {
	if rel != RelationTeacher && !by.Roles.Has(RoleAdmin) {
		return ErrForbidden
	}
	if c.State != StatePublished {
		return ErrCourseState
	}
	c.State, c.UpdatedAt = StateUnpublished, now.UTC().Truncate(time.Millisecond)
	return nil
}

// Archive retires the course for good; its teacher or an admin may.
// Enrolled students and buyers keep access.
func (c *Course) Archive(by Account, rel Relation, now time.Time) error {
	if rel != RelationTeacher && !by.Roles.Has(RoleAdmin) {
		return ErrForbidden
	}
	if c.State == StateArchived {
		return ErrCourseState
	}
	c.State, c.UpdatedAt = StateArchived, now.UTC().Truncate(time.Millisecond)
	return nil
}

// MaterialNeedsReview reports whether a material that by adds to c waits
// for a reviewer before students see it: in a published course, unless by
// is trusted or an administrator. Materials added before publication are
// reviewed with the course.
func MaterialNeedsReview(c Course, by Account) bool {
	return c.State == StatePublished && !by.Trusted() && !by.Roles.Has(RoleAdmin)
}
