package classroom

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Status is where a lesson is in its life: scheduled → live → ended.
type Status string

// The lesson statuses.
const (
	StatusScheduled Status = "scheduled"
	StatusLive      Status = "live"
	StatusEnded     Status = "ended"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusScheduled || s == StatusLive || s == StatusEnded
}

// CanBecome reports whether a lesson may move from s to next: forward,
// where a scheduled lesson may end without going live (it was cancelled),
// and back from ended to scheduled when its teacher reopens it.
func (s Status) CanBecome(next Status) bool {
	switch s {
	case StatusScheduled:
		return next == StatusLive || next == StatusEnded
	case StatusLive:
		return next == StatusEnded
	case StatusEnded:
		return next == StatusScheduled
	}
	return false
}

// Limits on lesson schedules.
const (
	MinLessonDuration = time.Minute
	MaxLessonDuration = 12 * time.Hour
)

// Lesson is one live session of a course.
type Lesson struct {
	ID        string
	CourseID  string
	Title     string
	StartsAt  time.Time
	Duration  time.Duration
	Status    Status
	CreatedAt time.Time
	UpdatedAt time.Time
	// CancelledAt is when the teacher cancelled the lesson before it took
	// place (its Status is then ended); zero if it was not cancelled.
	CancelledAt  time.Time
	CancelReason string
}

// Cancelled reports whether the lesson was cancelled.
func (l Lesson) Cancelled() bool { return !l.CancelledAt.IsZero() }

// EndsAt is when the lesson is planned to end.
func (l Lesson) EndsAt() time.Time { return l.StartsAt.Add(l.Duration) }

// LessonChange is a full or partial edit of a lesson; nil fields are left.
type LessonChange struct {
	Title    *string
	StartsAt *time.Time
	Duration *time.Duration
}

// NewLesson schedules a lesson in course. Title, StartsAt and Duration are
// required.
func NewLesson(course Course, ch LessonChange, now time.Time) (Lesson, error) {
	switch {
	case ch.Title == nil:
		return Lesson{}, invalid("title", "is required")
	case ch.StartsAt == nil:
		return Lesson{}, invalid("starts_at", "is required")
	case ch.Duration == nil:
		return Lesson{}, invalid("duration_minutes", "is required")
	}
	now = now.UTC().Truncate(time.Millisecond)
	l := Lesson{
		ID:        uuid.NewString(),
		CourseID:  course.ID,
		Status:    StatusScheduled,
		CreatedAt: now,
	}
	if err := l.Apply(ch, now); err != nil {
		return Lesson{}, err
	}
	return l, nil
}

// Apply validates and applies an edit. Only a scheduled lesson may be
// edited.
func (l *Lesson) Apply(ch LessonChange, now time.Time) error {
	if l.Status != StatusScheduled && l.Status != "" {
		return &FieldError{Field: "status", Reason: "only a scheduled lesson can be edited", Err: ErrStatus}
	}
	next := *l
	var err error
	if ch.Title != nil {
		if next.Title, err = checkLine("title", *ch.Title, 1, MaxTitleLen); err != nil {
			return err
		}
	}
	if ch.StartsAt != nil {
		t := ch.StartsAt.UTC().Truncate(time.Millisecond)
		if t.Year() < 2000 || t.Year() > 9999 {
			return invalid("starts_at", "is out of range")
		}
		next.StartsAt = t
	}
	if ch.Duration != nil {
		d := *ch.Duration
		if d < MinLessonDuration || d > MaxLessonDuration {
			return invalid("duration_minutes", "must be between 1 minute and 12 hours")
		}
		next.Duration = d.Truncate(time.Second)
	}
	next.UpdatedAt = now.UTC().Truncate(time.Millisecond)
	*l = next
	return nil
}

// SetStatus moves the lesson to next if the rules allow it.
func (l *Lesson) SetStatus(next Status, now time.Time) error {
	if !next.Valid() {
		return invalid("status", "must be scheduled, live or ended")
	}
	if !l.Status.CanBecome(next) {
		return &FieldError{Field: "status",
			Reason: "cannot go from " + string(l.Status) + " to " + string(next), Err: ErrStatus}
	}
	l.Status = next
	l.UpdatedAt = now.UTC().Truncate(time.Millisecond)
	if next == StatusScheduled { // reopened: no longer cancelled
		l.CancelledAt, l.CancelReason = time.Time{}, ""
	}
	return nil
}

// Cancel ends a scheduled lesson that will not take place, with an
// optional reason (already checked by CheckCancelReason).
func (l *Lesson) Cancel(reason string, now time.Time) error {
	if l.Status != StatusScheduled {
		return &FieldError{Field: "status", Reason: "only a scheduled lesson can be cancelled", Err: ErrStatus}
	}
	if err := l.SetStatus(StatusEnded, now); err != nil {
		return err
	}
	l.CancelledAt, l.CancelReason = l.UpdatedAt, reason
	return nil
}

// UpcomingLesson is a lesson seen from one account's timetable.
type UpcomingLesson struct {
	Lesson
	CourseTitle string
	Relation    Relation
}

// LessonWriter is what Transition reads and writes.
type LessonWriter interface {
	Lesson(ctx context.Context, id string) (Lesson, error)
	UpdateLesson(ctx context.Context, l Lesson, prev Status, news *LessonNews) error
}

// Transition moves lesson id to next in st as one compare-and-set: of two
// callers racing, one moves it and the other finds it moved. It returns
// the lesson as stored afterwards and whether this call changed it. Asking
// for the status the lesson already has changes nothing, except that
// ending an ended lesson is ErrAlreadyEnded, so the second of two teachers
// pressing End learns the first did. A move the rules forbid is ErrStatus.
// news (nil for none) is written in the move's transaction; a move that
// changes nothing writes none of it.
func Transition(ctx context.Context, st LessonWriter, id string, next Status, now time.Time, news *LessonNews) (Lesson, bool, error) {
	for attempt := 0; ; attempt++ {
		l, err := st.Lesson(ctx, id)
		if err != nil {
			return l, false, err
		}
		if l.Status == next {
			if next == StatusEnded {
				return l, false, ErrAlreadyEnded
			}
			return l, false, nil
		}
		prev := l.Status
		if err := l.SetStatus(next, now); err != nil {
			return l, false, err
		}
		err = st.UpdateLesson(ctx, l, prev, news)
		if errors.Is(err, ErrConflict) && attempt < 2 {
			continue // moved underneath us: look again
		}
		return l, err == nil, err
	}
}
