package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/content"
)

// TestRosterExercises: the roster gives each student the course's
// exercises they submitted out of all of them, and the points of their
// best attempt at each out of those exercises' maximum; another course's
// exercises do not count.
func TestRosterExercises(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		teacher := h.teacher("t@example.org")
		c := teacher.course("Algebra")
		other := teacher.course("Geometry")
		ann := h.register("ann@example.org", "Ann")
		bob := h.register("bob@example.org", "Bob")
		for _, s := range []*client{ann, bob} {
			want(t, s.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusCreated)
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		mk := func(courseID string) content.Exercise {
			e := content.Exercise{ID: uuid.NewString(), CourseID: courseID, Title: "Quiz", CreatedBy: teacher.id,
				CreatedAt: now, UpdatedAt: now, Questions: []content.Question{{ID: "q1", Type: content.SingleChoice,
					Prompt: "2+2?", Choices: []string{"3", "4"}, Correct: []int{1}, Points: 4}}}
			if err := h.st.InsertExercise(ctx, e); err != nil {
				t.Fatal(err)
			}
			return e
		}
		submit := func(e content.Exercise, who *client, score, max int) {
			sub := content.Submission{ID: uuid.NewString(), ExerciseID: e.ID, AccountID: who.id,
				Answers: map[string]content.Answer{"q1": {Choices: []int{1}}}, Score: score, MaxScore: max,
				Status: content.SubmissionGraded, SubmittedAt: now}
			if _, err := h.st.InsertSubmission(ctx, sub, 0); err != nil {
				t.Fatal(err)
			}
		}
		e1, e2, _ := mk(c.ID), mk(c.ID), mk(c.ID)
		elsewhere := mk(other.ID)
		// Ann: two attempts at e1 (1 then 4 points), 2 of 5 at e2; an
		// exercise of another course. Bob: nothing.
		submit(e1, ann, 1, 4)
		submit(e1, ann, 4, 4)
		submit(e2, ann, 2, 5)
		submit(elsewhere, ann, 4, 4)

		r := teacher.do("GET", "/api/v1/courses/"+c.ID+"/roster", nil)
		want(t, r, http.StatusOK)
		var got struct {
			Students []struct {
				ID                 string `json:"id"`
				ExercisesSubmitted int    `json:"exercises_submitted"`
				Points             int    `json:"points"`
				PointsPossible     int    `json:"points_possible"`
			}
			ExercisesTotal int `json:"exercises_total"`
		}
		r.decode(t, &got)
		if got.ExercisesTotal != 3 || len(got.Students) != 2 {
			t.Fatalf("roster %+v", got)
		}
		a, b := got.Students[0], got.Students[1]
		if a.ID != ann.id || a.ExercisesSubmitted != 2 || a.Points != 6 || a.PointsPossible != 9 {
			t.Errorf("Ann's exercises %+v, want 2 submitted, 6 of 9 points", a)
		}
		if b.ID != bob.id || b.ExercisesSubmitted != 0 || b.Points != 0 || b.PointsPossible != 0 {
			t.Errorf("Bob's exercises %+v, want none", b)
		}
	})
}
