package classroom

import (
	"context"
	"time"
)

// MaxCancelReasonLen bounds the reason a teacher gives for cancelling a
// lesson.
const MaxCancelReasonLen = 500

// CheckCancelReason validates the optional reason given for a
// cancellation; it returns it trimmed.
func CheckCancelReason(reason string) (string, error) {
	return checkBlock("reason", reason, 0, MaxCancelReasonLen)
}

// The kinds of mailing about a lesson. Each is also the kind of the
// in-app notice sent with it.
const (
	MailingCancelled    = "lesson.cancelled"
	MailingMoved        = "lesson.moved"
	MailingReminderDay  = "lesson.reminder.day"
	MailingReminderSoon = "lesson.reminder.soon"
)

// Reminder leads: the day reminder is sent when a lesson starts within a
// day (but more than ReminderSoonLead away), the soon reminder within
// ReminderSoonLead.
const (
	ReminderDayLead  = 24 * time.Hour
	ReminderSoonLead = 15 * time.Minute
)

// Mail is one plain-text email to queue in the outbox.
type Mail struct {
	To      string
	Subject string
	Body    string
}

// Mailing names one mailing about a lesson: a kind and a key time (the
// start a reminder is for, the moment of a move). A mailing is queued at
// most once, so a reminder is never sent twice for the same start, even
// by two servers at once, and a rescheduled lesson is reminded again.
type Mailing struct {
	LessonID string
	Kind     string
	Key      time.Time
	At       time.Time // when it was queued
}

// CourseSchedule is what a course's card and landing page show of its
// lessons: the lesson live now and the next scheduled one (nil if none).
type CourseSchedule struct {
	Live *Lesson
	Next *Lesson
}

// LessonMailings stores what is sent about lessons: cancellations, moves
// and reminders, each with its mails and in-app notices in one
// transaction.
type LessonMailings interface {
	// CancelLesson records l's CancelledAt and CancelReason if the stored
	// lesson is ended and not cancelled yet (ErrConflict otherwise), and
	// queues m's mails and notices in the same transaction.
	CancelLesson(ctx context.Context, l Lesson, m Mailing, mails []Mail, notices []Notice) error
	// QueueMailing records m and queues its mails and notices, in one
	// transaction; false, with nothing queued, if m was recorded before.
	QueueMailing(ctx context.Context, m Mailing, mails []Mail, notices []Notice) (bool, error)
	// LessonsToRemind lists scheduled lessons starting in (from, to] that
	// have no mailing of kind for their current start, soonest first, at
	// most limit.
	LessonsToRemind(ctx context.Context, kind string, from, to time.Time, limit int) ([]Lesson, error)
	// EnrolledAccounts lists the accounts enrolled in a course that are not
	// disabled, by enrolment time, at most 10,000.
	EnrolledAccounts(ctx context.Context, courseID string) ([]Account, error)
	// CourseSchedules returns, for each of courseIDs that has one, its
	// live lesson and its next scheduled lesson not yet over at now.
	CourseSchedules(ctx context.Context, courseIDs []string, now time.Time) (map[string]CourseSchedule, error)
}
