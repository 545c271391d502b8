package api

import (
	"context"
	"net/http"
	"time"

	"github.com/lectern/lectern/classroom"
)

// lessonLink is the course page's absolute URL for mails, "" when no
// public URL is known (a reminder has no request to take it from).
func lessonLink(base, courseID string) string {
	if base == "" {
		return ""
	}
	return base + "/courses/" + courseID
}

// lessonMailing builds the mails and notices of f for the course's
// students (and, withTeacher, its teacher).
func (s *Server) lessonMailing(ctx context.Context, f lessonMailFacts, withTeacher bool) ([]classroom.Mail, []classroom.Notice, error) {
	to, err := s.store.EnrolledAccounts(ctx, f.Course.ID)
	if err != nil {
		return nil, nil, err
	}
	if withTeacher {
		if t, err := s.store.Account(ctx, f.Course.TeacherID); err == nil && !t.Disabled() {
			to = append(to, t)
		}
	}
	now := s.now()
	vars := lessonNoticeVars(f)
	mails := make([]classroom.Mail, 0, len(to))
	notices := make([]classroom.Notice, 0, len(to))
	for _, a := range to {
		mails = append(mails, lessonMail(a, f))
		notices = append(notices, classroom.NewNotice(a.ID, f.Kind, vars, now))
	}
	return mails, notices, nil
}

type cancelRequest struct {
	Reason string `json:"reason"`
}

// cancelLesson ends a scheduled lesson that will not take place (its
// teacher only), in one transaction: the lesson's owner moves it to ended
// (and then closes the room), and the same write records the
// cancellation and queues the mail to every enrolled student and their
// in-app notices (classroom.LessonNews). If any of it fails, nothing is
// written and the room stays as it was.
func (s *Server) cancelLesson(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, course, _, err := s.lessonFor(r, c, classroom.Relation.CanEdit)
	if err != nil {
		return err
	}
	var req cancelRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	reason, err := classroom.CheckCancelReason(req.Reason)
	if err != nil {
		return err
	}
	now := s.now()
	cancelled := l
	if err := cancelled.Cancel(reason, now); err != nil {
		return err
	}
	f := lessonMailFacts{Kind: classroom.MailingCancelled, Course: course, Lesson: cancelled, Reason: reason,
		Link: lessonLink(s.publicURL(r), course.ID)}
	mails, notices, err := s.lessonMailing(r.Context(), f, false)
	if err != nil {
		return err
	}
	news := &classroom.LessonNews{Cancel: true, Reason: reason,
		Mailing: classroom.Mailing{LessonID: l.ID, Kind: classroom.MailingCancelled, Key: now, At: now},
		Mails:   mails, Notices: notices}
	if _, err := s.life.SetLessonStatus(r.Context(), l.ID, classroom.StatusEnded, c.account.ID, news); err != nil {
		return err
	}
	if cancelled, err = s.loadLesson(r.Context(), l.ID); err != nil {
		return err
	}
	s.log.Info("lesson cancelled", "lesson", l.ID, "by", c.account.ID, "mails", len(mails))
	writeJSON(w, http.StatusOK, viewLesson(cancelled))
	return nil
}

// moveNews is the news of a lesson that moved from was: the mail and
// notice to its students, queued in the move's transaction.
func (s *Server) moveNews(r *http.Request, course classroom.Course, l classroom.Lesson, was time.Time) (*classroom.LessonNews, error) {
	f := lessonMailFacts{Kind: classroom.MailingMoved, Course: course, Lesson: l, Was: was,
		Link: lessonLink(s.publicURL(r), course.ID)}
	mails, notices, err := s.lessonMailing(r.Context(), f, false)
	return &classroom.LessonNews{Mails: mails, Notices: notices,
		Mailing: classroom.Mailing{LessonID: l.ID, Kind: classroom.MailingMoved, Key: l.UpdatedAt, At: s.now()}}, err
}

// reminderRules: which reminder is due in which window before a start.
var reminderRules = []struct {
	kind     string
	from, to time.Duration
}{
	{classroom.MailingReminderSoon, 0, classroom.ReminderSoonLead},
	{classroom.MailingReminderDay, classroom.ReminderSoonLead, classroom.ReminderDayLead},
}

// SendReminders queues the reminders due at now (a day before a lesson
// and ReminderSoonLead before it) to each lesson's students and teacher,
// each at most once per lesson start; it returns how many lessons it
// reminded of.
func (s *Server) SendReminders(ctx context.Context, now time.Time) (int, error) {
	n := 0
	for _, rule := range reminderRules {
		list, err := s.store.LessonsToRemind(ctx, rule.kind, now.Add(rule.from), now.Add(rule.to), 100)
		if err != nil {
			return n, err
		}
		for _, l := range list {
			course, err := s.store.Course(ctx, l.CourseID)
			if err != nil {
				return n, err
			}
			f := lessonMailFacts{Kind: rule.kind, Course: course, Lesson: l, Link: lessonLink(s.urls.Fixed(), course.ID)}
			mails, notices, err := s.lessonMailing(ctx, f, true)
			if err != nil {
				return n, err
			}
			ok, err := s.store.QueueMailing(ctx, classroom.Mailing{LessonID: l.ID, Kind: rule.kind, Key: l.StartsAt, At: now},
				mails, notices)
			if err != nil {
				return n, err
			}
			if ok {
				n++
			}
		}
	}
	return n, nil
}

// reminderWorker calls SendReminders every interval until Close.
func (s *Server) reminderWorker(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if n, err := s.SendReminders(ctx, s.now()); err != nil {
			s.log.Warn("lesson reminders", "err", err)
		} else if n > 0 {
			s.log.Info("lesson reminders queued", "lessons", n)
		}
		cancel()
	}
}
