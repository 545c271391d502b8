package api

import (
	"net/http"
	"time"

	"github.com/lectern/lectern/classroom"
)

type liveLessonView struct {
	lessonView
	TeacherName  string    `json:"teacher_name"`
	Participants int       `json:"participants"`
	LiveSince    time.Time `json:"live_since"`
	LiveMinutes  int64     `json:"live_minutes"`
}

// adminLiveLessons lists the lessons live now with their participants
// and how long they have been live (admins).
func (s *Server) adminLiveLessons(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	list, err := s.store.LiveLessons(r.Context(), 200)
	if err != nil {
		return err
	}
	now := s.now()
	out := make([]liveLessonView, len(list))
	for i, ll := range list {
		v := liveLessonView{lessonView: viewLesson(ll.Lesson), TeacherName: ll.TeacherName,
			Participants: ll.Participants, LiveSince: ll.UpdatedAt, LiveMinutes: int64(now.Sub(ll.UpdatedAt) / time.Minute)}
		v.CourseTitle = ll.CourseTitle
		out[i] = v
	}
	writeJSON(w, http.StatusOK, map[string]any{"lessons": out})
	return nil
}

// lessonStatusState is what the audit log keeps of a lesson's status.
type lessonStatusState struct {
	Status classroom.Status `json:"status"`
}

// adminEndLesson ends a live lesson (admins): through the lesson's owner,
// so every connection to it closes; audited (lesson.end).
func (s *Server) adminEndLesson(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	l, err := s.loadLesson(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if l.Status != classroom.StatusLive {
		return &classroom.FieldError{Field: "status", Reason: "only a live lesson can be ended here", Err: classroom.ErrStatus}
	}
	// Audited in the move's transaction: no entry without the end, no end
	// without its entry.
	e := s.audit(r, c, classroom.AuditLessonEnd, "lesson", l.ID, lessonStatusState{l.Status}, lessonStatusState{classroom.StatusEnded})
	news := &classroom.LessonNews{Audit: e}
	if l, err = s.life.SetLessonStatus(r.Context(), l.ID, classroom.StatusEnded, c.account.ID, news); err != nil {
		return err
	}
	s.log.Warn("lesson ended by an administrator", "lesson", l.ID, "by", c.account.ID)
	writeJSON(w, http.StatusOK, viewLesson(l))
	return nil
}
