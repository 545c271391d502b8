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

// TestAdminLiveLessons: admins see the lessons live now with their
// course, teacher and participants still in them, and may end one;
// nobody else may do either.
func TestAdminLiveLessons(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		admin := h.register("boss@example.org", "Boss")
		h.grant(admin, classroom.RoleAdmin)
		teacher := h.teacher("t@example.org")
		c := teacher.course("Astronomy")
		now := time.Now().UTC()
		on := teacher.lesson(c.ID, "Moons", now.Add(-time.Minute), 60)
		later := teacher.lesson(c.ID, "Rings", now.Add(time.Hour), 60)
		want(t, teacher.do("POST", "/api/v1/lessons/"+on.ID+"/status", map[string]any{"status": "live"}), http.StatusOK)
		for i, left := range []time.Time{{}, {}, now} {
			a := live.Attendance{LessonID: on.ID, ParticipantID: "p" + string(rune('a'+i)), UserID: "u", Name: "N",
				Role: token.RoleStudent, Joined: now.Add(-time.Duration(i+1) * time.Minute), Left: left}
			if err := h.st.Live().PutAttendance(ctx, a); err != nil {
				t.Fatal(err)
			}
		}

		want(t, teacher.do("GET", "/api/v1/admin/live-lessons", nil), http.StatusForbidden)
		want(t, teacher.do("POST", "/api/v1/admin/live-lessons/"+on.ID+"/end", nil), http.StatusForbidden)
		type liveList struct {
			Lessons []struct {
				ID           string `json:"id"`
				CourseTitle  string `json:"course_title"`
				TeacherName  string `json:"teacher_name"`
				Participants int    `json:"participants"`
				LiveMinutes  int64  `json:"live_minutes"`
			}
		}
		r := admin.do("GET", "/api/v1/admin/live-lessons", nil)
		want(t, r, http.StatusOK)
		var got liveList
		r.decode(t, &got)
		if len(got.Lessons) != 1 || got.Lessons[0].ID != on.ID || got.Lessons[0].CourseTitle != "Astronomy" ||
			got.Lessons[0].TeacherName != "Teacher t@example.org" || got.Lessons[0].Participants != 2 || got.Lessons[0].LiveMinutes > 1 {
			t.Fatalf("live lessons %+v", got)
		}
		want(t, admin.do("POST", "/api/v1/admin/live-lessons/"+later.ID+"/end", nil), http.StatusConflict, "invalid_status_change")
		want(t, admin.do("POST", "/api/v1/admin/live-lessons/00000000-0000-4000-8000-000000000000/end", nil), http.StatusNotFound)
		want(t, admin.do("POST", "/api/v1/admin/live-lessons/"+on.ID+"/end", nil), http.StatusOK)
		if l, err := h.st.Lesson(ctx, on.ID); err != nil || l.Status != classroom.StatusEnded {
			t.Fatalf("after ending: %+v, %v", l, err)
		}
		r = admin.do("GET", "/api/v1/admin/live-lessons", nil)
		got = liveList{}
		r.decode(t, &got)
		if len(got.Lessons) != 0 {
			t.Fatalf("still live: %+v", got)
		}
	})
}
