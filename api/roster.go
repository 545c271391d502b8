package api

import (
	"net/http"
	"time"

	"github.com/lectern/lectern/classroom"
)

type rosterEntryView struct {
	ID              string    `json:"id"`
	DisplayName     string    `json:"display_name"`
	Email           string    `json:"email,omitempty"`
	EnrolledAt      time.Time `json:"enrolled_at"`
	LessonsAttended int       `json:"lessons_attended"`
	// Exercises: submitted of the course's exercises_total, and the best
	// attempts' points out of those exercises' maximum.
	ExercisesSubmitted int `json:"exercises_submitted"`
	Points             int `json:"points"`
	PointsPossible     int `json:"points_possible"`
}

// roster lists a course's students with their attendance and exercise
// scores: for its
// teacher and admins with addresses, for assistants without.
func (s *Server) roster(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, rel, err := s.courseRelation(r, c)
	if err != nil {
		return err
	}
	admin := c.account.Roles.Has(classroom.RoleAdmin)
	if !rel.CanRun() && !admin {
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "only the course's teacher, its assistants or an admin see its students"}
	}
	list, held, err := s.store.Roster(r.Context(), course.ID)
	if err != nil {
		return err
	}
	exercises, err := s.store.CourseExercises(r.Context(), course.ID)
	if err != nil {
		return err
	}
	out := make([]rosterEntryView, len(list))
	for i, e := range list {
		out[i] = rosterEntryView{ID: e.AccountID, DisplayName: e.DisplayName, EnrolledAt: e.EnrolledAt, LessonsAttended: e.LessonsAttended,
			ExercisesSubmitted: e.ExercisesSubmitted, Points: e.Points, PointsPossible: e.PointsPossible}
		if rel.CanEdit() || admin {
			out[i].Email = e.Email
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"students": out, "lessons_held": held, "exercises_total": exercises})
	return nil
}
