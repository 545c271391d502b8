package classroom

import (
	"context"
	"time"
)

// RosterEntry is one student of a course as its teacher sees it: who,
// since when, and how many of the course's lessons they attended.
type RosterEntry struct {
	AccountID       string
	Email           string
	DisplayName     string
	EnrolledAt      time.Time
	LessonsAttended int
	// Exercises: how many of the course's exercises the student submitted
	// (at least once), and the points of their best attempt at each, out
	// of those exercises' maximum.
	ExercisesSubmitted int
	Points             int
	PointsPossible     int
}

// Rosters lists a course's students.
type Rosters interface {
	// Roster lists the students enrolled in courseID by enrolment time
	// (at most 10,000), and how many of its lessons took place (ended,
	// not cancelled).
	Roster(ctx context.Context, courseID string) ([]RosterEntry, int, error)
	// CourseExercises counts the course's exercises.
	CourseExercises(ctx context.Context, courseID string) (int, error)
}
