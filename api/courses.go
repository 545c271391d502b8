package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

func isNotFound(err error) bool { return errors.Is(err, classroom.ErrNotFound) }

type courseRequest struct {
	Title       *string `json:"title"`
	Summary     *string `json:"summary"`
	Description *string `json:"description"`
	// Assistants are account IDs or emails; the list replaces the old one.
	Assistants *[]string `json:"assistants"`
	// Tags replaces the course's tags (see classroom.NormalizeTags).
	Tags *[]string `json:"tags"`
}

// readCourseChange decodes a courseRequest from the body and resolves
// assistants given by email to account IDs.
func (s *Server) readCourseChange(w http.ResponseWriter, r *http.Request) (classroom.CourseChange, error) {
	var req courseRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return classroom.CourseChange{}, err
	}
	ctx := r.Context()
	ch := classroom.CourseChange{Title: req.Title, Summary: req.Summary, Description: req.Description, Tags: req.Tags}
	if req.Assistants == nil {
		return ch, nil
	}
	if len(*req.Assistants) > classroom.MaxAssistants {
		return ch, &classroom.FieldError{Field: "assistants", Reason: "too many assistants", Err: classroom.ErrInvalid}
	}
	ids := make([]string, 0, len(*req.Assistants))
	for _, who := range *req.Assistants {
		var (
			acc classroom.Account
			err error
		)
		if strings.Contains(who, "@") {
			email, nerr := classroom.NormalizeEmail(who)
			if nerr != nil {
				return ch, &classroom.FieldError{Field: "assistants", Reason: "has an invalid email", Err: classroom.ErrInvalid}
			}
			acc, err = s.store.AccountByEmail(ctx, email)
		} else if uuid.Validate(who) == nil {
			acc, err = s.store.Account(ctx, who)
		} else {
			err = classroom.ErrNotFound
		}
		if isNotFound(err) {
			return ch, &classroom.FieldError{Field: "assistants", Reason: "names an unknown account", Err: classroom.ErrInvalid}
		}
		if err != nil {
			return ch, err
		}
		ids = append(ids, acc.ID)
	}
	ch.Assistants = &ids
	return ch, nil
}

func (s *Server) createCourse(w http.ResponseWriter, r *http.Request, c *caller) error {
	if !c.account.Roles.Has(classroom.RoleTeacher) {
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "only teachers create courses"}
	}
	ch, err := s.readCourseChange(w, r)
	if err != nil {
		return err
	}
	course, err := classroom.NewCourse(c.account, ch, s.now())
	if err != nil {
		return err
	}
	if err := s.store.CreateCourse(r.Context(), course); err != nil {
		return err
	}
	if course, err = s.store.Course(r.Context(), course.ID); err != nil {
		return err
	}
	rel := classroom.RelationTeacher
	w.Header().Set("Location", "/api/v1/courses/"+course.ID)
	writeJSON(w, http.StatusCreated, viewCourse(course, &rel))
	return nil
}

// courseFor loads the course in the path and checks the caller's relation
// with may; ErrNotFound, or 403 when may says no.
func (s *Server) courseFor(r *http.Request, c *caller, may func(classroom.Relation) bool) (classroom.Course, error) {
	course, rel, err := s.courseRelation(r, c)
	if err != nil {
		return course, err
	}
	if !may(rel) {
		return course, &Error{Status: http.StatusForbidden, Code: "forbidden",
			Message: "only the course's teacher may do that"}
	}
	return course, nil
}

// courseRelation loads the course in the path and c's relation to it.
func (s *Server) courseRelation(r *http.Request, c *caller) (classroom.Course, classroom.Relation, error) {
	course, err := s.loadCourse(r.Context(), r.PathValue("id"))
	if err != nil {
		return course, classroom.RelationNone, err
	}
	rel, err := s.relation(r.Context(), course, c)
	return course, rel, err
}

// visibleCourse loads course id for caller c (nil when anonymous) with
// c's relation; ErrNotFound unless c may see it (classroom.Course.VisibleTo).
func (s *Server) visibleCourse(ctx context.Context, c *caller, id string) (classroom.Course, classroom.Relation, error) {
	course, err := s.loadCourse(ctx, id)
	if err != nil {
		return course, classroom.RelationNone, err
	}
	rel, err := s.relation(ctx, course, c)
	if err != nil {
		return course, rel, err
	}
	var who classroom.Account
	if c != nil {
		who = c.account
	}
	if !course.VisibleTo(who, rel) {
		return course, rel, classroom.ErrNotFound
	}
	return course, rel, nil
}

func (s *Server) loadCourse(ctx context.Context, id string) (classroom.Course, error) {
	if uuid.Validate(id) != nil {
		return classroom.Course{}, classroom.ErrNotFound
	}
	return s.store.Course(ctx, id)
}

// relation is the caller's relation to course; none for anonymous callers.
func (s *Server) relation(ctx context.Context, course classroom.Course, c *caller) (classroom.Relation, error) {
	if c == nil {
		return classroom.RelationNone, nil
	}
	if rel := classroom.RelationOf(course, c.account.ID, false); rel != classroom.RelationNone {
		return rel, nil
	}
	enrolled, err := s.store.Enrolled(ctx, course.ID, c.account.ID)
	if err != nil {
		return classroom.RelationNone, err
	}
	return classroom.RelationOf(course, c.account.ID, enrolled), nil
}

func (s *Server) getCourse(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, rel, err := s.visibleCourse(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	var relp *classroom.Relation
	if c != nil {
		relp = &rel
	}
	out := []courseView{viewCourse(course, relp)}
	if err := s.addSchedules(r.Context(), out); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out[0])
	return nil
}

func (s *Server) updateCourse(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, err := s.courseFor(r, c, classroom.Relation.CanEdit)
	if err != nil {
		return err
	}
	ch, err := s.readCourseChange(w, r)
	if err != nil {
		return err
	}
	before := course.Assistants
	if err := course.Apply(ch, s.now()); err != nil {
		return err
	}
	if err := s.store.UpdateCourse(r.Context(), course); err != nil {
		return err
	}
	for _, a := range before {
		if classroom.RelationOf(course, a.ID, false) != classroom.RelationAssistant {
			s.accessChanged(a.ID, course.ID) // an assistant removed
		}
	}
	if course, err = s.store.Course(r.Context(), course.ID); err != nil {
		return err
	}
	rel := classroom.RelationTeacher
	writeJSON(w, http.StatusOK, viewCourse(course, &rel))
	return nil
}

// listCourses is the catalogue of published courses; see catalogueQuery
// for its parameters.
func (s *Server) listCourses(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := catalogueQuery(r, c)
	if err != nil {
		return err
	}
	list, err := s.store.ListCourses(r.Context(), q)
	if err != nil {
		return err
	}
	out := make([]courseView, len(list))
	for i, course := range list {
		out[i] = viewCourse(course, nil)
	}
	if err := s.addSchedules(r.Context(), out); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"courses": out})
	return nil
}

// addSchedules fills each course's live and next lesson, in one store
// query for the whole list.
func (s *Server) addSchedules(ctx context.Context, list []courseView) error {
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	sched, err := s.store.CourseSchedules(ctx, ids, s.now())
	if err != nil {
		return err
	}
	for i := range list {
		cs := sched[list[i].ID]
		if cs.Live != nil {
			v := viewLesson(*cs.Live)
			list[i].LiveLesson = &v
		}
		if cs.Next != nil {
			v := viewLesson(*cs.Next)
			list[i].NextLesson = &v
		}
	}
	return nil
}

func pageOf(r *http.Request) (classroom.Page, error) {
	var p classroom.Page
	for name, dst := range map[string]*int{"limit": &p.Limit, "offset": &p.Offset} {
		v := r.URL.Query().Get(name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1_000_000 {
			return p, &Error{Status: http.StatusBadRequest, Code: "invalid_input", Field: name,
				Message: name + " must be a non-negative integer"}
		}
		*dst = n
	}
	return p, nil
}

// enrol enrols the caller in a course (free unless the access policy says
// otherwise).
func (s *Server) enrol(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, rel, err := s.visibleCourse(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := classroom.CheckEnrol(c.account, course); err != nil {
		return err
	}
	if s.access != nil {
		if err := s.access.MayEnrol(r.Context(), c.account, course); err != nil {
			return err
		}
	}
	if err := s.store.Enrol(r.Context(), classroom.Enrolment{CourseID: course.ID, AccountID: c.account.ID,
		CreatedAt: s.now()}); err != nil {
		return err
	}
	rel = classroom.RelationStudent
	writeJSON(w, http.StatusCreated, viewCourse(course, &rel))
	return nil
}

// myCourses lists what the caller teaches, assists and studies.
func (s *Server) myCourses(w http.ResponseWriter, r *http.Request, c *caller) error {
	list, err := s.store.MyCourses(r.Context(), c.account.ID)
	if err != nil {
		return err
	}
	out := make([]courseView, len(list))
	for i, mc := range list {
		rel := mc.Relation
		out[i] = viewCourse(mc.Course, &rel)
	}
	if err := s.addSchedules(r.Context(), out); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"courses": out})
	return nil
}
