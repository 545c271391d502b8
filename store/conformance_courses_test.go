package store

import (
	"context"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
)

func mkCourse(t *testing.T, s *Store, teacher classroom.Account, title string, assistants ...string) classroom.Course {
	t.Helper()
	ch := classroom.CourseChange{Title: &title}
	if len(assistants) > 0 {
		ch.Assistants = &assistants
	}
	c, err := classroom.NewCourse(teacher, ch, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCourse(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func mkLesson(t *testing.T, s *Store, c classroom.Course, title string, start time.Time, d time.Duration) classroom.Lesson {
	t.Helper()
	l, err := classroom.NewLesson(c, classroom.LessonChange{Title: &title, StartsAt: &start, Duration: &d}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateLesson(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	return l
}

func testCourses(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "teach@example.org", classroom.RoleTeacher)
	other := mkAccount(t, s, "other@example.org", classroom.RoleTeacher)
	asst := mkAccount(t, s, "asst@example.org")
	c := mkCourse(t, s, teacher, `Go "for" O'Reilly readers`, asst.ID)
	mkCourse(t, s, other, "Other course")

	got, err := s.Course(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != c.Title || got.TeacherName != teacher.DisplayName || len(got.Assistants) != 1 ||
		got.Assistants[0].ID != asst.ID || got.Assistants[0].DisplayName != asst.DisplayName {
		t.Errorf("Course = %+v", got)
	}
	summary, desc := "short", "line one\nline two; DROP TABLE lessons;"
	if err := got.Apply(classroom.CourseChange{Summary: &summary, Description: &desc, Assistants: &[]string{}}, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateCourse(ctx, got); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Course(ctx, c.ID)
	if got.Summary != summary || got.Description != desc || len(got.Assistants) != 0 {
		t.Errorf("after update: %+v", got)
	}

	all, err := s.ListCourses(ctx, classroom.CourseQuery{})
	if err != nil || len(all) != 2 {
		t.Errorf("ListCourses = %d, %v", len(all), err)
	}
	mine, _ := s.ListCourses(ctx, classroom.CourseQuery{TeacherID: teacher.ID})
	if len(mine) != 1 || mine[0].ID != c.ID {
		t.Errorf("ListCourses(teacher) = %v", mine)
	}
	_, err = s.Course(ctx, "00000000-0000-0000-0000-000000000000")
	mustIs(t, err, classroom.ErrNotFound)
	got.ID = "00000000-0000-0000-0000-000000000000"
	mustIs(t, s.UpdateCourse(ctx, got), classroom.ErrNotFound)
}

// testCourseAtomic checks that a course with an unknown assistant is not
// written at all.
func testCourseAtomic(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "teach@example.org", classroom.RoleTeacher)
	title := "Half"
	c, _ := classroom.NewCourse(teacher, classroom.CourseChange{Title: &title,
		Assistants: &[]string{"00000000-0000-0000-0000-000000000001"}}, t0)
	mustIs(t, s.CreateCourse(ctx, c), classroom.ErrNotFound)
	if list, _ := s.ListCourses(ctx, classroom.CourseQuery{}); len(list) != 0 {
		t.Errorf("course written halfway: %v", list)
	}
	good := mkCourse(t, s, teacher, "Whole")
	good.Title = "Renamed"
	good.Assistants = []classroom.Member{{ID: "00000000-0000-0000-0000-000000000001"}}
	mustIs(t, s.UpdateCourse(ctx, good), classroom.ErrNotFound)
	if got, _ := s.Course(ctx, good.ID); got.Title != "Whole" {
		t.Errorf("update written halfway: title %q", got.Title)
	}
}

func testCover(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "teach@example.org", classroom.RoleTeacher)
	c := mkCourse(t, s, teacher, "Covered")
	img := classroom.Image{ContentType: "image/jpeg", Data: []byte{0xff, 0xd8, 0xff, 0, '\''}, UpdatedAt: t0}
	if err := s.SetCourseCover(ctx, c.ID, img); err != nil {
		t.Fatal(err)
	}
	got, err := s.CourseCover(ctx, c.ID)
	if err != nil || string(got.Data) != string(img.Data) || got.ContentType != img.ContentType {
		t.Fatalf("CourseCover = %+v, %v", got, err)
	}
	if cc, _ := s.Course(ctx, c.ID); cc.CoverType != "image/jpeg" {
		t.Errorf("CoverType = %q", cc.CoverType)
	}
	mustIs(t, s.SetCourseCover(ctx, "00000000-0000-0000-0000-000000000000", img), classroom.ErrNotFound)
}

func testEnrol(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "teach@example.org", classroom.RoleTeacher, classroom.RoleStudent)
	asst := mkAccount(t, s, "asst@example.org")
	stu := mkAccount(t, s, "stu@example.org")
	c := mkCourse(t, s, teacher, "B course", asst.ID)
	c2 := mkCourse(t, s, mkAccount(t, s, "t2@example.org", classroom.RoleTeacher), "A course")

	e := classroom.Enrolment{CourseID: c.ID, AccountID: stu.ID, CreatedAt: t0}
	if err := s.Enrol(ctx, e); err != nil {
		t.Fatal(err)
	}
	mustIs(t, s.Enrol(ctx, e), classroom.ErrAlreadyEnrolled)
	mustIs(t, s.Enrol(ctx, classroom.Enrolment{CourseID: "00000000-0000-0000-0000-000000000000",
		AccountID: stu.ID, CreatedAt: t0}), classroom.ErrNotFound)
	if ok, err := s.Enrolled(ctx, c.ID, stu.ID); !ok || err != nil {
		t.Errorf("Enrolled = %v, %v", ok, err)
	}
	if ok, _ := s.Enrolled(ctx, c2.ID, stu.ID); ok {
		t.Error("enrolled in the wrong course")
	}
	s.Enrol(ctx, classroom.Enrolment{CourseID: c2.ID, AccountID: teacher.ID, CreatedAt: t0})

	tests := []struct {
		who  classroom.Account
		want map[string]classroom.Relation
	}{
		{stu, map[string]classroom.Relation{c.ID: classroom.RelationStudent}},
		{asst, map[string]classroom.Relation{c.ID: classroom.RelationAssistant}},
		{teacher, map[string]classroom.Relation{c.ID: classroom.RelationTeacher, c2.ID: classroom.RelationStudent}},
	}
	for _, tt := range tests {
		got, err := s.MyCourses(ctx, tt.who.ID)
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("MyCourses(%s) = %v, %v", tt.who.Email, got, err)
			continue
		}
		for _, mc := range got {
			if tt.want[mc.ID] != mc.Relation {
				t.Errorf("MyCourses(%s): %s is %q, want %q", tt.who.Email, mc.Title, mc.Relation, tt.want[mc.ID])
			}
		}
	}
}

func testLessons(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "teach@example.org", classroom.RoleTeacher)
	c := mkCourse(t, s, teacher, "Lessons")
	l2 := mkLesson(t, s, c, "Second", t0.Add(48*time.Hour), time.Hour)
	l1 := mkLesson(t, s, c, "First's", t0.Add(24*time.Hour), 90*time.Minute)

	got, err := s.Lesson(ctx, l1.ID)
	if err != nil || got.Title != l1.Title || !got.StartsAt.Equal(l1.StartsAt) || got.Duration != l1.Duration ||
		got.Status != classroom.StatusScheduled {
		t.Fatalf("Lesson = %+v, %v", got, err)
	}
	list, _ := s.ListLessons(ctx, c.ID)
	if len(list) != 2 || list[0].ID != l1.ID || list[1].ID != l2.ID {
		t.Errorf("ListLessons not in start order: %v", list)
	}
	if err := got.SetStatus(classroom.StatusLive, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateLesson(ctx, got, classroom.StatusScheduled, nil); err != nil {
		t.Fatal(err)
	}
	// A second writer that still believes it is scheduled loses.
	mustIs(t, s.UpdateLesson(ctx, got, classroom.StatusScheduled, nil), classroom.ErrConflict)
	if g, _ := s.Lesson(ctx, l1.ID); g.Status != classroom.StatusLive {
		t.Errorf("status = %q", g.Status)
	}
	got.ID = "00000000-0000-0000-0000-000000000000"
	mustIs(t, s.UpdateLesson(ctx, got, classroom.StatusLive, nil), classroom.ErrNotFound)
	bad := l1
	bad.ID, bad.CourseID = "00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000000"
	mustIs(t, s.CreateLesson(ctx, bad), classroom.ErrNotFound)
}

func testUpcoming(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "teach@example.org", classroom.RoleTeacher)
	stu := mkAccount(t, s, "stu@example.org")
	outsider := mkAccount(t, s, "out@example.org")
	c := mkCourse(t, s, teacher, "Timetable")
	s.Enrol(ctx, classroom.Enrolment{CourseID: c.ID, AccountID: stu.ID, CreatedAt: t0})
	now := t0.Add(10 * 24 * time.Hour)
	past := mkLesson(t, s, c, "past", now.Add(-3*time.Hour), time.Hour)
	running := mkLesson(t, s, c, "overrunning", now.Add(-3*time.Hour), time.Hour)
	running.SetStatus(classroom.StatusLive, now)
	s.UpdateLesson(ctx, running, classroom.StatusScheduled, nil)
	current := mkLesson(t, s, c, "in progress", now.Add(-30*time.Minute), time.Hour)
	later := mkLesson(t, s, c, "later", now.Add(24*time.Hour), time.Hour)
	ended := mkLesson(t, s, c, "ended early", now.Add(time.Hour), time.Hour)
	ended.SetStatus(classroom.StatusEnded, now)
	s.UpdateLesson(ctx, ended, classroom.StatusScheduled, nil)
	_ = past

	got, err := s.UpcomingLessons(ctx, stu.ID, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{running.ID, current.ID, later.ID}
	if len(got) != len(want) {
		t.Fatalf("UpcomingLessons = %v, want %d lessons", got, len(want))
	}
	for i, u := range got {
		if u.ID != want[i] || u.CourseTitle != "Timetable" || u.Relation != classroom.RelationStudent {
			t.Errorf("lesson %d = %s %q %q, want %s", i, u.Title, u.CourseTitle, u.Relation, want[i])
		}
	}
	if got, _ := s.UpcomingLessons(ctx, teacher.ID, now, 1); len(got) != 1 || got[0].Relation != classroom.RelationTeacher {
		t.Errorf("teacher's upcoming (limit 1) = %v", got)
	}
	if got, _ := s.UpcomingLessons(ctx, outsider.ID, now, 10); len(got) != 0 {
		t.Errorf("outsider sees %v", got)
	}
}
