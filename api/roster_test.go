package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/token"
)

// TestRoster: the teacher sees each student with the lessons they
// attended (once per lesson however often they rejoined) out of those
// held (a cancelled one does not count); an assistant sees no addresses;
// students and strangers see nothing.
func TestRoster(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		asst := h.register("asst@example.org", "Asst")
		teacher := h.teacher("t@example.org")
		c := teacher.course("Pottery", asst.id)
		now := time.Now().UTC()
		held := teacher.lesson(c.ID, "Clay", now.Add(-2*time.Hour), 60)
		heldToo := teacher.lesson(c.ID, "Wheel", now.Add(-time.Hour), 30)
		dropped := teacher.lesson(c.ID, "Glaze", now.Add(time.Hour), 30)
		ann := h.register("ann@example.org", "Ann")
		bob := h.register("bob@example.org", "Bob")
		stranger := h.register("x@example.org", "X")
		for _, s := range []*client{ann, bob} {
			want(t, s.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusCreated)
		}
		for _, l := range []lessonJSON{held, heldToo} {
			want(t, teacher.do("POST", "/api/v1/lessons/"+l.ID+"/status", map[string]any{"status": "ended"}), http.StatusOK)
		}
		want(t, teacher.do("POST", "/api/v1/lessons/"+dropped.ID+"/cancel", map[string]any{}), http.StatusOK)
		// Ann was in both lessons (twice in the first), Bob in none.
		for i, l := range []string{held.ID, held.ID, heldToo.ID} {
			a := live.Attendance{LessonID: l, ParticipantID: "p" + string(rune('a'+i)), UserID: ann.id, Name: "Ann",
				Role: token.RoleStudent, Joined: now.Add(-time.Duration(90-i) * time.Minute), Left: now.Add(-time.Duration(80-i) * time.Minute)}
			if err := h.st.Live().PutAttendance(ctx, a); err != nil {
				t.Fatal(err)
			}
		}

		type roster struct {
			Students []struct {
				ID              string `json:"id"`
				DisplayName     string `json:"display_name"`
				Email           string `json:"email"`
				LessonsAttended int    `json:"lessons_attended"`
			}
			LessonsHeld int `json:"lessons_held"`
		}
		r := teacher.do("GET", "/api/v1/courses/"+c.ID+"/roster", nil)
		want(t, r, http.StatusOK)
		var got roster
		r.decode(t, &got)
		if got.LessonsHeld != 2 || len(got.Students) != 2 || got.Students[0].ID != ann.id || got.Students[0].LessonsAttended != 2 ||
			got.Students[0].Email != "ann@example.org" || got.Students[1].ID != bob.id || got.Students[1].LessonsAttended != 0 {
			t.Fatalf("teacher's roster %+v", got)
		}
		r = asst.do("GET", "/api/v1/courses/"+c.ID+"/roster", nil)
		want(t, r, http.StatusOK)
		got = roster{}
		r.decode(t, &got)
		if len(got.Students) != 2 || got.Students[0].Email != "" {
			t.Fatalf("assistant's roster %+v", got)
		}
		want(t, ann.do("GET", "/api/v1/courses/"+c.ID+"/roster", nil), http.StatusForbidden)
		want(t, stranger.do("GET", "/api/v1/courses/"+c.ID+"/roster", nil), http.StatusForbidden)
		admin := h.register("boss@example.org", "Boss")
		h.grant(admin, classroom.RoleAdmin)
		want(t, admin.do("GET", "/api/v1/courses/"+c.ID+"/roster", nil), http.StatusOK)
		// Removed, off the roster.
		want(t, teacher.do("DELETE", "/api/v1/courses/"+c.ID+"/students/"+bob.id, nil), http.StatusNoContent)
		r = teacher.do("GET", "/api/v1/courses/"+c.ID+"/roster", nil)
		got = roster{}
		r.decode(t, &got)
		if len(got.Students) != 1 {
			t.Fatalf("after removing Bob %+v", got)
		}
	})
}
