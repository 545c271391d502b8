package api

import (
	"context"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/token"
)

// decideContent asks doors about an item of courseID attached to lessonID
// ("" for the course as a whole). An item attached to a lesson (a
// material, an exercise) opens to whoever may pass that lesson's door
// (Decide: relation, ban from the lesson, entitlement or free preview;
// admins and reviewers to review); a course-wide item to whoever may use
// the course as a whole (DecideCourse: relation and entitlement to the
// course, no bans, a free preview does not open it).
func decideContent(ctx context.Context, doors Doors, accountID, courseID, lessonID string, door access.Door) (access.Decision, error) {
	if lessonID != "" {
		return doors.Decide(ctx, accountID, lessonID, door)
	}
	return doors.DecideCourse(ctx, accountID, courseID, door)
}

// reachable returns the items of courseID that accountID may open at door,
// asking the policy once for the course and once per lesson an item is
// attached to (lessonOf: "" for course-wide). Moderators and observers let
// into the course reach every item (bans and entitlements are not theirs);
// a student not entitled to the course still reaches a free preview
// lesson's items. When nothing is reachable and the course itself is
// refused, that refusal is the error, so a refunded student hears
// payment_required rather than an empty list. The course's decision is
// returned too (its Role says what the caller may do).
func reachable[T any](ctx context.Context, doors Doors, accountID, courseID string, door access.Door,
	items []T, lessonOf func(T) string) ([]T, access.Decision, error) {
	course, err := doors.DecideCourse(ctx, accountID, courseID, door)
	if err != nil {
		return nil, course, err
	}
	if course.Allowed() && course.Role != token.RoleStudent {
		return items, course, nil
	}
	switch course.Reason {
	case access.Allowed, access.ReasonPaymentRequired:
	default: // no lesson of the course opens either
		return nil, course, course.Err()
	}
	opens := map[string]bool{"": course.Allowed()}
	out := make([]T, 0, len(items))
	for _, it := range items {
		l := lessonOf(it)
		ok, asked := opens[l]
		if !asked {
			d, err := doors.Decide(ctx, accountID, l, door)
			if err != nil {
				return nil, course, err
			}
			ok = d.Allowed()
			opens[l] = ok
		}
		if ok {
			out = append(out, it)
		}
	}
	if len(out) == 0 && !course.Allowed() {
		return nil, course, course.Err()
	}
	return out, course, nil
}

// contentRelation is the relation a decision at a content door gives acc:
// the course relation it found; admins count as the course's teacher
// (they manage every course's content), reviewers as no relation (they
// read as observers).
func contentRelation(d access.Decision, acc classroom.Account) classroom.Relation {
	if acc.Roles.Has(classroom.RoleAdmin) {
		return classroom.RelationTeacher
	}
	switch d.Role {
	case token.RoleTeacher:
		return classroom.RelationTeacher
	case token.RoleAssistant:
		return classroom.RelationAssistant
	case token.RoleStudent:
		return classroom.RelationStudent
	}
	return classroom.RelationNone
}
