package api

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

type lessonRequest struct {
	Title           *string    `json:"title"`
	StartsAt        *time.Time `json:"starts_at"`
	DurationMinutes *int64     `json:"duration_minutes"`
}

// readLessonChange decodes a lessonRequest from the body into a change.
func (s *Server) readLessonChange(w http.ResponseWriter, r *http.Request) (classroom.LessonChange, error) {
	var req lessonRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return classroom.LessonChange{}, err
	}
	ch := classroom.LessonChange{Title: req.Title, StartsAt: req.StartsAt}
	if req.DurationMinutes != nil {
		m := *req.DurationMinutes
		if m < 0 || m > 100_000 {
			return ch, &classroom.FieldError{Field: "duration_minutes",
				Reason: "must be between 1 minute and 12 hours", Err: classroom.ErrInvalid}
		}
		d := time.Duration(m) * time.Minute
		ch.Duration = &d
	}
	return ch, nil
}

func (s *Server) createLesson(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, err := s.courseFor(r, c, classroom.Relation.CanEdit)
	if err != nil {
		return err
	}
	ch, err := s.readLessonChange(w, r)
	if err != nil {
		return err
	}
	l, err := classroom.NewLesson(course, ch, s.now())
	if err != nil {
		return err
	}
	if err := s.store.CreateLesson(r.Context(), l); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/lessons/"+l.ID)
	writeJSON(w, http.StatusCreated, viewLesson(l))
	return nil
}

func (s *Server) listLessons(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, _, err := s.visibleCourse(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	list, err := s.store.ListLessons(r.Context(), course.ID)
	if err != nil {
		return err
	}
	out := make([]lessonView, len(list))
	for i, l := range list {
		out[i] = viewLesson(l)
	}
	writeJSON(w, http.StatusOK, map[string]any{"lessons": out})
	return nil
}

func (s *Server) loadLesson(ctx context.Context, id string) (classroom.Lesson, error) {
	if uuid.Validate(id) != nil {
		return classroom.Lesson{}, classroom.ErrNotFound
	}
	return s.store.Lesson(ctx, id)
}

func (s *Server) getLesson(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, err := s.loadLesson(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, _, err := s.visibleCourse(r.Context(), c, l.CourseID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewLesson(l))
	return nil
}

// lessonFor loads the lesson in the path and its course, checking the
// caller's relation with may.
func (s *Server) lessonFor(r *http.Request, c *caller, may func(classroom.Relation) bool) (classroom.Lesson, classroom.Course, classroom.Relation, error) {
	l, err := s.loadLesson(r.Context(), r.PathValue("id"))
	if err != nil {
		return l, classroom.Course{}, "", err
	}
	course, err := s.store.Course(r.Context(), l.CourseID)
	if err != nil {
		return l, course, "", err
	}
	rel, err := s.relation(r.Context(), course, c)
	if err != nil {
		return l, course, rel, err
	}
	if !may(rel) {
		return l, course, rel, errNotMember
	}
	return l, course, rel, nil
}

func (s *Server) updateLesson(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, course, _, err := s.lessonFor(r, c, classroom.Relation.CanEdit)
	if err != nil {
		return err
	}
	ch, err := s.readLessonChange(w, r)
	if err != nil {
		return err
	}
	prev, was := l.Status, l.StartsAt
	if err := l.Apply(ch, s.now()); err != nil {
		return err
	}
	var news *classroom.LessonNews
	if !l.StartsAt.Equal(was) {
		// The students' mail is queued in the move's transaction.
		if news, err = s.moveNews(r, course, l, was); err != nil {
			return err
		}
	}
	if err := s.store.UpdateLesson(r.Context(), l, prev, news); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewLesson(l))
	return nil
}

type statusRequest struct {
	Status classroom.Status `json:"status"`
}

// setLessonStatus starts or ends a lesson (teacher or assistant), or
// reopens an ended one (its teacher). The move goes through the lesson's
// owner (LessonLife): ending also closes every connection to the room.
func (s *Server) setLessonStatus(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, _, rel, err := s.lessonFor(r, c, classroom.Relation.CanRun)
	if err != nil {
		return err
	}
	var req statusRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	if !req.Status.Valid() {
		return &classroom.FieldError{Field: "status", Reason: "must be scheduled, live or ended", Err: classroom.ErrInvalid}
	}
	if req.Status == classroom.StatusScheduled && !rel.CanEdit() {
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "only the course's teacher may reopen a lesson"}
	}
	prev := l.Status
	if l, err = s.life.SetLessonStatus(r.Context(), l.ID, req.Status, c.account.ID, nil); err != nil {
		return err
	}
	s.log.Info("lesson status", "lesson", l.ID, "from", prev, "to", l.Status, "by", c.account.ID)
	writeJSON(w, http.StatusOK, viewLesson(l))
	return nil
}

// myLessons is the caller's timetable: live and upcoming lessons of every
// course they teach, assist or study.
func (s *Server) myLessons(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, err := s.store.UpcomingLessons(r.Context(), c.account.ID, s.now(), p.Limit)
	if err != nil {
		return err
	}
	out := make([]lessonView, len(list))
	for i, u := range list {
		out[i] = viewLesson(u.Lesson)
		out[i].CourseTitle, out[i].Relation = u.CourseTitle, string(u.Relation)
	}
	writeJSON(w, http.StatusOK, map[string]any{"lessons": out})
	return nil
}
