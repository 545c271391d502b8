package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

// Exercises serves a course's exercises (练习题), their submissions and
// the gradebook:
//
//	GET    /api/v1/courses/{id}/exercises          list (those the access policy opens to the caller)
//	POST   /api/v1/courses/{id}/exercises          create (teacher)
//	GET    /api/v1/exercises/{id}                  one; the key only to the teacher or after a submission
//	PUT    /api/v1/exercises/{id}                  replace (teacher)
//	DELETE /api/v1/exercises/{id}                  (teacher)
//	POST   /api/v1/exercises/{id}/submissions      answer (the teacher, assistants, students)
//	GET    /api/v1/exercises/{id}/submissions      the teacher's: all; a student's: their own
//
// Every request about an exercise first passes the access policy's
// exercise door (package access): Decide for an exercise attached to a
// lesson, DecideCourse for a course-wide one, so a refunded, removed or
// banned student, or a stranger, is refused with the policy's reason.
//
//	PUT    /api/v1/submissions/{id}/grade          grade short answers (teacher)
//	GET    /api/v1/courses/{id}/gradebook          JSON (teacher, assistants)
//	GET    /api/v1/courses/{id}/gradebook.csv      CSV
type Exercises struct {
	s     *Server
	st    content.ExerciseStore
	doors Doors
}

// NewExercises returns the exercise endpoints of s over st; doors is the
// access policy (nil: the Server's).
func NewExercises(s *Server, st content.ExerciseStore, doors Doors) *Exercises {
	if s == nil || st == nil {
		panic("api: NewExercises needs a Server and a store")
	}
	if doors == nil {
		doors = s.doors
	}
	return &Exercises{s: s, st: st, doors: doors}
}

// Register adds the routes to mux.
func (x *Exercises) Register(mux *http.ServeMux) {
	for pattern, h := range map[string]authHandler{
		"GET /api/v1/courses/{id}/exercises":      x.list,
		"POST /api/v1/courses/{id}/exercises":     x.create,
		"GET /api/v1/exercises/{id}":              x.get,
		"PUT /api/v1/exercises/{id}":              x.replace,
		"DELETE /api/v1/exercises/{id}":           x.remove,
		"POST /api/v1/exercises/{id}/submissions": x.submit,
		"GET /api/v1/exercises/{id}/submissions":  x.submissions,
		"PUT /api/v1/submissions/{id}/grade":      x.grade,
		"GET /api/v1/courses/{id}/gradebook":      x.gradebook,
		"GET /api/v1/courses/{id}/gradebook.csv":  x.gradebookCSV,
	} {
		mux.Handle(pattern, x.s.cop.Handler(x.s.authed(h)))
	}
}

// exerciseError maps content's exercise errors to API errors.
func exerciseError(err error) error {
	var xe *content.ExerciseError
	switch {
	case errors.As(err, &xe):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_input", Field: xe.Field, Message: xe.Error()}
	case errors.Is(err, content.ErrPastDue):
		return &Error{Status: http.StatusConflict, Code: "past_due", Message: err.Error()}
	case errors.Is(err, content.ErrNoAttemptsLeft):
		return &Error{Status: http.StatusConflict, Code: "no_attempts_left", Message: err.Error()}
	}
	return contentError(err)
}

// rel is the caller's relation to course, admins counting as teachers.
func (x *Exercises) rel(ctx context.Context, course classroom.Course, c *caller) (classroom.Relation, error) {
	if c.account.Roles.Has(classroom.RoleAdmin) {
		return classroom.RelationTeacher, nil
	}
	return x.s.relation(ctx, course, c)
}

// exercise loads the exercise in the path and its course, asks the
// access policy's exercise door (the exercise's lesson, or the course
// for a course-wide one) and returns the caller's relation as the
// decision found it (contentRelation); a refusal is the policy's.
func (x *Exercises) exercise(ctx context.Context, id string, c *caller) (content.Exercise, classroom.Course, classroom.Relation, error) {
	if uuid.Validate(id) != nil {
		return content.Exercise{}, classroom.Course{}, "", errNotFound
	}
	e, err := x.st.Exercise(ctx, id)
	if err != nil {
		return e, classroom.Course{}, "", exerciseError(err)
	}
	d, err := decideContent(ctx, x.doors, c.account.ID, e.CourseID, e.LessonID, access.DoorExercise)
	if err == nil {
		err = d.Err()
	}
	if err != nil {
		return e, d.Course, "", err
	}
	return e, d.Course, contentRelation(d, c.account), nil
}

var errNotExerciseTeacher = &Error{Status: http.StatusForbidden, Code: "forbidden",
	Message: "only the course's teacher may change its exercises"}

type exerciseInput struct {
	Title        string             `json:"title"`
	Instructions string             `json:"instructions"`
	LessonID     string             `json:"lesson_id"`
	DueAt        *time.Time         `json:"due_at"`
	MaxAttempts  int                `json:"max_attempts"`
	Questions    []content.Question `json:"questions"`
}

// read decodes and validates an exercise for course.
func (x *Exercises) read(w http.ResponseWriter, r *http.Request, course classroom.Course, e *content.Exercise) error {
	var in exerciseInput
	if err := decodeJSON(w, r, 1<<20, &in); err != nil {
		return err
	}
	if in.LessonID != "" {
		l, err := x.s.loadLesson(r.Context(), in.LessonID)
		if errors.Is(err, classroom.ErrNotFound) || (err == nil && l.CourseID != course.ID) {
			return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_input", Field: "lesson_id",
				Message: "not a lesson of this course"}
		}
		if err != nil {
			return err
		}
	}
	e.Title, e.Instructions, e.LessonID, e.MaxAttempts, e.Questions = in.Title, in.Instructions, in.LessonID, in.MaxAttempts, in.Questions
	e.DueAt = time.Time{}
	if in.DueAt != nil {
		e.DueAt = in.DueAt.UTC().Truncate(time.Millisecond)
	}
	return exerciseError(e.Validate())
}

func (x *Exercises) create(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, err := x.s.loadCourse(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if rel, err := x.rel(r.Context(), course, c); err != nil {
		return err
	} else if !rel.CanEdit() {
		return errNotExerciseTeacher
	}
	now := x.s.now().UTC().Truncate(time.Millisecond)
	e := content.Exercise{ID: uuid.NewString(), CourseID: course.ID, CreatedBy: c.account.ID, CreatedAt: now, UpdatedAt: now}
	if err := x.read(w, r, course, &e); err != nil {
		return err
	}
	if err := x.st.InsertExercise(r.Context(), e); err != nil {
		return exerciseError(err)
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (x *Exercises) replace(w http.ResponseWriter, r *http.Request, c *caller) error {
	e, course, rel, err := x.exercise(r.Context(), r.PathValue("id"), c)
	if err != nil {
		return err
	}
	if !rel.CanEdit() {
		return errNotExerciseTeacher
	}
	if err := x.read(w, r, course, &e); err != nil {
		return err
	}
	e.UpdatedAt = x.s.now().UTC().Truncate(time.Millisecond)
	if err := x.st.UpdateExercise(r.Context(), e); err != nil {
		return exerciseError(err)
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (x *Exercises) remove(w http.ResponseWriter, r *http.Request, c *caller) error {
	e, _, rel, err := x.exercise(r.Context(), r.PathValue("id"), c)
	if err != nil {
		return err
	}
	if !rel.CanEdit() {
		return errNotExerciseTeacher
	}
	if err := x.st.DeleteExercise(r.Context(), e.ID); err != nil {
		return exerciseError(err)
	}
	writeJSON(w, http.StatusNoContent, nil)
	return nil
}

// exerciseSummary is a list entry, with the caller's own standing.
type exerciseSummary struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	LessonID    string    `json:"lesson_id,omitempty"`
	DueAt       time.Time `json:"due_at,omitzero"`
	MaxAttempts int       `json:"max_attempts"`
	Questions   int       `json:"questions"`
	MaxScore    int       `json:"max_score"`
	MyAttempts  int       `json:"my_attempts"`
	MyBest      int       `json:"my_best"`
	MyPending   bool      `json:"my_pending"`
}

// list answers the course's exercises the caller may open (the access
// policy, as for each exercise), with the caller's own standing.
func (x *Exercises) list(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, err := x.s.loadCourse(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	all, err := x.st.Exercises(r.Context(), course.ID)
	if err != nil {
		return err
	}
	list, d, err := reachable(r.Context(), x.doors, c.account.ID, course.ID, access.DoorExercise, all,
		func(e content.Exercise) string { return e.LessonID })
	if err != nil {
		return err
	}
	out := make([]exerciseSummary, 0, len(list))
	for _, e := range list {
		mine, err := x.st.Submissions(r.Context(), e.ID, c.account.ID)
		if err != nil {
			return err
		}
		s := exerciseSummary{ID: e.ID, Title: e.Title, LessonID: e.LessonID, DueAt: e.DueAt, MaxAttempts: e.MaxAttempts,
			Questions: len(e.Questions), MaxScore: e.MaxScore(), MyAttempts: len(mine)}
		for _, m := range mine {
			s.MyBest = max(s.MyBest, m.Score)
			s.MyPending = s.MyPending || m.Status == content.SubmissionPending
		}
		out = append(out, s)
	}
	writeJSON(w, http.StatusOK, map[string]any{"exercises": out, "can_edit": contentRelation(d, c.account).CanEdit(),
		"now": x.s.now().UTC()})
	return nil
}

var errObserverAnswer = &Error{Status: http.StatusForbidden, Code: "forbidden",
	Message: "reviewers read a course's exercises but do not answer them"}

func (x *Exercises) get(w http.ResponseWriter, r *http.Request, c *caller) error {
	e, _, rel, err := x.exercise(r.Context(), r.PathValue("id"), c)
	if err != nil {
		return err
	}
	mine, err := x.st.Submissions(r.Context(), e.ID, c.account.ID)
	if err != nil {
		return err
	}
	if !rel.CanRun() && !keyRevealed(e, len(mine), x.s.now()) {
		e = e.WithoutKey()
	}
	if mine == nil {
		mine = []content.Submission{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"exercise": e, "submissions": mine, "can_edit": rel.CanEdit(),
		"now": x.s.now().UTC()})
	return nil
}

// keyRevealed reports whether a student who made used attempts sees the
// correct answers and explanations: after a submission, once no attempt
// is left to improve on (unlimited attempts: at once; otherwise after the
// last attempt or the due date).
func keyRevealed(e content.Exercise, used int, now time.Time) bool {
	if used == 0 {
		return false
	}
	return e.MaxAttempts == 0 || used >= e.MaxAttempts || (!e.DueAt.IsZero() && now.After(e.DueAt))
}
