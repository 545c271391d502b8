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

// LessonMailings stores what is sent about lessons: reminders, each with
// its mails and in-app notices in one transaction. Cancellations and moves
// ride the lesson's own write (LessonNews).
type LessonMailings interface {
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

// LessonNews is what a change of a lesson writes with it, in the same
// transaction as the lesson (Lessons.UpdateLesson): a mailing, queued at
// most once, an audit entry, and, for a cancellation, the reason. A
// cancellation is the move of a scheduled lesson to ended, which goes
// through the lesson's owner (it closes the room), so the news is an
// argument of the owner's move (Transition, and the API's LessonLife) all
// the way to the store: a move asked of another node must carry it too.
// If any part of the write fails, the lesson is neither ended nor
// cancelled and nothing is queued.
type LessonNews struct {
	// Cancel marks the lesson cancelled (CancelledAt is the move's time)
	// with Reason; the store refuses it (ErrStatus) unless the move is
	// from scheduled to ended.
	Cancel bool
	Reason string
	// Mailing, when its Kind is set, is queued with Mails and Notices.
	Mailing Mailing
	Mails   []Mail
	Notices []Notice
	// Audit, when its Action is set, is appended (an admin's end).
	Audit AuditEntry
}
