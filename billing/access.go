package billing

import (
	"context"
	"fmt"

	"github.com/lectern/lectern/classroom"
)

// MayEnrol implements api.AccessPolicy. Enrolling is free even in a paid
// course: it lists the course among the student's and opens its
// free-preview lessons. Everything else asks for an entitlement (and
// paying enrols the student by itself).
func (s *Service) MayEnrol(context.Context, classroom.Account, classroom.Course) error { return nil }

// MayAccess decides whether account may use course's paid content: join a
// lesson, download a material, watch a replay. It is the entitlement
// input of the one access policy (package access), which every door asks. lessonID names the lesson
// the content belongs to ("" for course-wide materials). Its teacher,
// assistants and admins always may; others need the course to be free,
// the lesson to be a free preview, or an active entitlement. Otherwise
// the error wraps classroom.ErrEntitlementRequired (HTTP 402).
func (s *Service) MayAccess(ctx context.Context, account classroom.Account, course classroom.Course, lessonID string) error {
	if rel := classroom.RelationOf(course, account.ID, false); rel == classroom.RelationTeacher ||
		rel == classroom.RelationAssistant || isAdmin(account) {
		return nil
	}
	a, err := s.store.AccessFacts(ctx, account.ID, course.ID, lessonID)
	if err != nil {
		return err
	}
	if !a.Priced || a.FreeLesson || a.Entitled {
		return nil
	}
	return fmt.Errorf("%w: buy %q to use it", classroom.ErrEntitlementRequired, course.Title)
}

// Owns reports whether account has an active entitlement to course.
func (s *Service) Owns(ctx context.Context, accountID, courseID string) (bool, error) {
	a, err := s.store.AccessFacts(ctx, accountID, courseID, "")
	return a.Entitled, err
}
