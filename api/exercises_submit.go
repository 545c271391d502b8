package api

import (
	"bytes"
	"mime"
	"net/http"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

type submitInput struct {
	Answers map[string]content.Answer `json:"answers"`
}

// submit grades the caller's answers at once and stores them as their
// next attempt; the answer carries the results and, when revealed, the
// exercise with its key and explanations.
func (x *Exercises) submit(w http.ResponseWriter, r *http.Request, c *caller) error {
	e, _, rel, err := x.exercise(r.Context(), r.PathValue("id"), c)
	if err != nil {
		return err
	}
	if !rel.CanJoin() {
		return errObserverAnswer
	}
	var in submitInput
	if err := decodeJSON(w, r, 1<<20, &in); err != nil {
		return err
	}
	if in.Answers == nil {
		in.Answers = map[string]content.Answer{}
	}
	sub, err := content.Submit(r.Context(), x.st, e, c.account.ID, in.Answers, x.s.now())
	if err != nil {
		return exerciseError(err)
	}
	out := map[string]any{"submission": sub}
	if keyRevealed(e, sub.Attempt, x.s.now()) || rel.CanRun() {
		out["exercise"] = e
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// submissions lists the exercise's submissions: every student's for the
// teacher and assistants (with names), the caller's own otherwise.
func (x *Exercises) submissions(w http.ResponseWriter, r *http.Request, c *caller) error {
	e, _, rel, err := x.exercise(r.Context(), r.PathValue("id"), c)
	if err != nil {
		return err
	}
	who := c.account.ID
	if rel.CanRun() {
		who = ""
	}
	list, err := x.st.Submissions(r.Context(), e.ID, who)
	if err != nil {
		return err
	}
	type named struct {
		content.Submission
		Name string `json:"name"`
	}
	out := make([]named, 0, len(list))
	names := map[string]string{}
	for _, s := range list {
		if _, ok := names[s.AccountID]; !ok {
			acc, err := x.s.store.Account(r.Context(), s.AccountID)
			if err != nil {
				return err
			}
			names[s.AccountID] = acc.DisplayName
		}
		out = append(out, named{s, names[s.AccountID]})
	}
	writeJSON(w, http.StatusOK, map[string]any{"submissions": out})
	return nil
}

type gradeInput struct {
	Grades map[string]content.TeacherGrade `json:"grades"`
}

// grade records the teacher's points and comments on short answers.
func (x *Exercises) grade(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if uuid.Validate(id) != nil {
		return errNotFound
	}
	sub, err := x.st.Submission(r.Context(), id)
	if err != nil {
		return exerciseError(err)
	}
	e, _, rel, err := x.exercise(r.Context(), sub.ExerciseID, c)
	if err != nil {
		return err
	}
	if !rel.CanEdit() {
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "only the course's teacher may grade"}
	}
	var in gradeInput
	if err := decodeJSON(w, r, 1<<20, &in); err != nil {
		return err
	}
	sub, err = content.GradeShortAnswers(e, sub, in.Grades, c.account.ID, x.s.now())
	if err != nil {
		return exerciseError(err)
	}
	if err := x.st.UpdateGrade(r.Context(), sub); err != nil {
		return exerciseError(err)
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

// book builds the course's gradebook for its teacher or assistants.
func (x *Exercises) book(r *http.Request, c *caller) (content.Gradebook, classroom.Course, error) {
	course, err := x.s.loadCourse(r.Context(), r.PathValue("id"))
	if err != nil {
		return content.Gradebook{}, course, err
	}
	rel, err := x.rel(r.Context(), course, c)
	if err != nil {
		return content.Gradebook{}, course, err
	}
	if !rel.CanRun() {
		return content.Gradebook{}, course, &Error{Status: http.StatusForbidden, Code: "forbidden",
			Message: "only the course's teacher and assistants may see the gradebook"}
	}
	exs, err := x.st.Exercises(r.Context(), course.ID)
	if err != nil {
		return content.Gradebook{}, course, err
	}
	subs, err := x.st.CourseSubmissions(r.Context(), course.ID)
	if err != nil {
		return content.Gradebook{}, course, err
	}
	students, err := x.st.CourseStudents(r.Context(), course.ID)
	if err != nil {
		return content.Gradebook{}, course, err
	}
	people := map[string]content.Person{}
	for _, st := range students {
		people[st.AccountID] = st.Person
	}
	for _, s := range subs {
		if _, ok := people[s.AccountID]; ok {
			continue
		}
		acc, err := x.s.store.Account(r.Context(), s.AccountID)
		if err != nil {
			return content.Gradebook{}, course, err
		}
		people[s.AccountID] = content.Person{Name: acc.DisplayName, Email: acc.Email}
	}
	return content.BuildGradebook(exs, subs, students, people), course, nil
}

func (x *Exercises) gradebook(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, _, err := x.book(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (x *Exercises) gradebookCSV(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, course, err := x.book(r, c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("\ufeff") // so spreadsheets read UTF-8 (Chinese names)
	if err := g.WriteCSV(&b); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": course.Title + " gradebook.csv"}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(b.Bytes())
	return err
}
