package api

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

// leaveCourse takes the caller out of a course they study. Their open
// connections to its lessons are closed (access changed).
func (s *Server) leaveCourse(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, err := s.loadCourse(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.unenrol(w, r, course, c.account.ID, c)
}

// removeStudent takes a student out of a course: its teacher or an admin
// may. The student's open connections to its lessons are closed within
// seconds, and joining again needs a new enrolment.
func (s *Server) removeStudent(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, rel, err := s.courseRelation(r, c)
	if err != nil {
		return err
	}
	if !rel.CanEdit() && !c.account.Roles.Has(classroom.RoleAdmin) {
		if rel == classroom.RelationNone {
			return errNotMember
		}
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "only the course's teacher or an admin may remove a student"}
	}
	id := r.PathValue("account")
	if uuid.Validate(id) != nil {
		return classroom.ErrNotFound
	}
	return s.unenrol(w, r, course, id, c)
}

func (s *Server) unenrol(w http.ResponseWriter, r *http.Request, course classroom.Course, accountID string, c *caller) error {
	if err := s.store.Unenrol(r.Context(), course.ID, accountID); err != nil {
		return err
	}
	s.log.Info("student removed from course", "course", course.ID, "account", accountID, "by", c.account.ID)
	s.accessChanged(accountID, course.ID)
	writeJSON(w, http.StatusNoContent, nil)
	return nil
}
