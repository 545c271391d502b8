package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
)

// TestAccessConformance: what the access policy and the lesson's owner
// need of the store behaves the same on every backend: a disabled account
// reads back disabled, unenrolling removes the relation once, overdue
// live lessons are listed, and a status change is one compare-and-set.
func TestAccessConformance(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) { testAccessFacts(t, b.open(t)) })
	}
}

func testAccessFacts(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	student := mkAccount(t, s, "s@example.org")
	mkAccount(t, s, "admin@example.org", classroom.RoleAdmin) // the last admin is never disabled
	if err := s.SetDisabled(ctx, student.ID, t0, classroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Account(ctx, student.ID); err != nil || !a.Disabled() || !a.DisabledAt.Equal(t0) {
		t.Fatalf("disabled account read back as %+v, %v", a, err)
	}
	// A profile update does not enable it again: only SetDisabled does.
	if err := s.UpdateAccount(ctx, student); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Account(ctx, student.ID); !a.Disabled() {
		t.Fatal("UpdateAccount enabled a disabled account")
	}
	if err := s.SetDisabled(ctx, student.ID, time.Time{}, classroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Account(ctx, student.ID); a.Disabled() {
		t.Fatal("enabled again, still disabled")
	}

	c := mkCourse(t, s, teacher, "C")
	if err := s.Enrol(ctx, classroom.Enrolment{CourseID: c.ID, AccountID: student.ID, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.Unenrol(ctx, c.ID, student.ID); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Enrolled(ctx, c.ID, student.ID); ok {
		t.Fatal("still enrolled after Unenrol")
	}
	if err := s.Unenrol(ctx, c.ID, student.ID); !errors.Is(err, classroom.ErrNotFound) {
		t.Fatalf("second Unenrol: %v", err)
	}

	past := mkLesson(t, s, c, "past", t0.Add(-3*time.Hour), time.Hour)
	future := mkLesson(t, s, c, "future", t0.Add(time.Hour), time.Hour)
	for _, l := range []classroom.Lesson{past, future} {
		if _, changed, err := classroom.Transition(ctx, s, l.ID, classroom.StatusLive, t0, nil); err != nil || !changed {
			t.Fatalf("go live: %v %v", changed, err)
		}
	}
	list, err := s.OverdueLessons(ctx, t0, 10)
	if err != nil || len(list) != 1 || list[0].ID != past.ID {
		t.Fatalf("OverdueLessons = %v, %v; want only the past lesson", list, err)
	}
	if _, _, err := classroom.Transition(ctx, s, past.ID, classroom.StatusEnded, t0, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := classroom.Transition(ctx, s, past.ID, classroom.StatusEnded, t0, nil); !errors.Is(err, classroom.ErrAlreadyEnded) {
		t.Fatalf("ending twice: %v", err)
	}
	if list, _ := s.OverdueLessons(ctx, t0, 10); len(list) != 0 {
		t.Fatalf("an ended lesson is still overdue: %v", list)
	}
	if l, changed, err := classroom.Transition(ctx, s, past.ID, classroom.StatusScheduled, t0, nil); err != nil || !changed || l.Status != classroom.StatusScheduled {
		t.Fatalf("reopen: %+v %v %v", l, changed, err)
	}
}
