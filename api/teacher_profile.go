package api

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

// teacherProfileView is a teacher's public profile: what a course's
// landing page shows of its teacher.
type teacherProfileView struct {
	ID          string       `json:"id"`
	DisplayName string       `json:"display_name"`
	AvatarURL   string       `json:"avatar_url,omitempty"`
	Bio         string       `json:"bio"`
	Courses     []courseView `json:"courses"`
}

// maxProfileCourses bounds the courses a teacher's profile lists.
const maxProfileCourses = 24

// teacherProfile answers GET /api/v1/teachers/{id} (no sign-in): the
// name, avatar and biography of an account that teaches (the teacher
// role, or a published course), and its published courses, newest first.
// Anyone else is 404, so that the endpoint tells nothing of students'
// accounts.
func (s *Server) teacherProfile(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if uuid.Validate(id) != nil {
		return errNotFound
	}
	acc, err := s.store.Account(r.Context(), id)
	if err != nil {
		return err
	}
	if acc.Disabled() {
		return errNotFound
	}
	list, err := s.store.ListCourses(r.Context(), classroom.CourseQuery{TeacherID: acc.ID,
		States: []classroom.CourseState{classroom.StatePublished}, Page: classroom.Page{Limit: maxProfileCourses}})
	if err != nil {
		return err
	}
	if !acc.Roles.Has(classroom.RoleTeacher) && len(list) == 0 {
		return errNotFound // an admin who teaches a published course has a profile
	}
	v := teacherProfileView{ID: acc.ID, DisplayName: acc.DisplayName, AvatarURL: avatarURL(acc.ID, acc.AvatarType, acc.UpdatedAt),
		Bio: acc.Bio, Courses: make([]courseView, len(list))}
	for i, c := range list {
		v.Courses[i] = viewCourse(c, nil)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
