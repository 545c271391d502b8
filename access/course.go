package access

import (
	"context"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/token"
)

// role is the role acc takes in course's lessons at door: teacher,
// assistant or student by the course relation; observer for an admin or
// reviewer outside the course at the material and exercise doors (they
// review what a course publishes) and for an admin at the replay door
// (admins watch every recording); "" for no relation.
func (p *Policy) role(ctx context.Context, acc classroom.Account, c classroom.Course, door Door) (token.Role, error) {
	rel := classroom.RelationOf(c, acc.ID, false)
	if rel == classroom.RelationNone {
		enrolled, err := p.facts.Enrolled(ctx, c.ID, acc.ID)
		if err != nil {
			return "", err
		}
		rel = classroom.RelationOf(c, acc.ID, enrolled)
	}
	switch rel {
	case classroom.RelationTeacher:
		return token.RoleTeacher, nil
	case classroom.RelationAssistant:
		return token.RoleAssistant, nil
	case classroom.RelationStudent:
		return token.RoleStudent, nil
	}
	admin := acc.Roles.Has(classroom.RoleAdmin)
	if door.content() && (admin || acc.Roles.Has(classroom.RoleReviewer)) || door == DoorReplay && admin {
		return token.RoleObserver, nil
	}
	return "", nil
}

// DecideCourse says whether accountID may pass door into courseID as a
// whole, not one of its lessons: the door of a material or an exercise
// attached to the course rather than to a lesson. It reads the account, the course
// (unknown → not_found), the relation (as Decide, reviewers included) and,
// for students, the entitlement to the whole course (a free preview
// lesson does not open course-wide materials or exercises →
// payment_required). Bans
// are per lesson and lesson status does not apply.
func (p *Policy) DecideCourse(ctx context.Context, accountID, courseID string, door Door) (Decision, error) {
	if courseID == "" {
		return Decision{Reason: ReasonNotFound}, nil
	}
	return p.decide(ctx, accountID, "", courseID, door)
}
