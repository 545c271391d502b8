package classroom

import "context"

// LiveLesson is a lesson live now, as the admin console lists it: its
// course and teacher, and how many people are in it (attendance
// intervals not closed yet). Lesson.UpdatedAt is when it went live (a
// live lesson cannot be edited).
type LiveLesson struct {
	Lesson
	CourseTitle  string
	TeacherName  string
	Participants int
}

// LiveLessonsView lists the lessons live now.
type LiveLessonsView interface {
	// LiveLessons lists live lessons, longest live first, at most limit.
	LiveLessons(ctx context.Context, limit int) ([]LiveLesson, error)
}
