package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
)

// t0 is a lesson start time safely in the future.
var t0 = time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)

func TestCreateCourse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		stu := h.register("stu@example.org", "Stu")
		want(t, stu.do("POST", "/api/v1/courses", map[string]string{"title": "Mine"}), http.StatusForbidden, "forbidden")

		h.register("asst@example.org", "Asst")
		tch := h.teacher("tch@example.org")
		c := tch.course("Go for teachers", "ASST@example.org")
		if len(c.Assistants) != 1 || c.Assistants[0].DisplayName != "Asst" || c.Teacher.ID != tch.id ||
			c.Relation == nil || *c.Relation != "teacher" {
			t.Errorf("course = %+v", c)
		}

		tests := []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"no title", map[string]string{"summary": "s"}, 422, "invalid_input"},
			{"blank title", map[string]string{"title": " \t "}, 422, "invalid_input"},
			{"long title", map[string]string{"title": strings.Repeat("t", 201)}, 422, "invalid_input"},
			{"control char", map[string]string{"title": "a\x07b"}, 422, "invalid_input"},
			{"unknown assistant", map[string]any{"title": "T", "assistants": []string{"ghost@example.org"}}, 422, "invalid_input"},
			{"assistant by bad id", map[string]any{"title": "T", "assistants": []string{"'; DROP TABLE courses;--"}}, 422, "invalid_input"},
			{"teacher as assistant", map[string]any{"title": "T", "assistants": []string{"tch@example.org"}}, 422, "invalid_input"},
			{"assistants not a list", `{"title":"T","assistants":"asst@example.org"}`, 400, "invalid_json"},
			{"malformed", `{"title":`, 400, "invalid_json"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				want(t, tch.do("POST", "/api/v1/courses", tt.body), tt.status, tt.code)
			})
		}
		var list struct{ Courses []courseJSON }
		tch.do("GET", "/api/v1/courses?teacher=me", nil).decode(t, &list)
		if len(list.Courses) != 1 {
			t.Errorf("bad requests wrote courses: %d", len(list.Courses))
		}
	})
}

func TestEditAndListCourses(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		tch := h.teacher("tch@example.org")
		other := h.teacher("other@example.org")
		asst := h.register("asst@example.org", "Asst")
		c := tch.course("First")
		other.course("Second")

		want(t, other.do("PATCH", "/api/v1/courses/"+c.ID, map[string]string{"title": "Stolen"}), http.StatusForbidden)
		want(t, asst.do("PATCH", "/api/v1/courses/"+c.ID, map[string]string{"title": "Stolen"}), http.StatusForbidden)
		r := tch.do("PATCH", "/api/v1/courses/"+c.ID, map[string]any{
			"description": "Line 1\nLine 2", "assistants": []string{asst.id}})
		want(t, r, http.StatusOK)
		var got courseJSON
		r.decode(t, &got)
		if got.Title != "First" || got.Description != "Line 1\nLine 2" || len(got.Assistants) != 1 {
			t.Errorf("after edit: %s", r.body)
		}
		want(t, tch.do("PATCH", "/api/v1/courses/"+c.ID, map[string]any{"title": "", "summary": "kept?"}),
			http.StatusUnprocessableEntity)
		got = courseJSON{}
		h.client().do("GET", "/api/v1/courses/"+c.ID, nil).decode(t, &got)
		if got.Title != "First" || got.Summary != "About First" {
			t.Errorf("a rejected edit was written: %+v", got)
		}
		if got.Relation != nil {
			t.Errorf("anonymous caller has a relation: %v", *got.Relation)
		}
		asst.do("GET", "/api/v1/courses/"+c.ID, nil).decode(t, &got)
		if got.Relation == nil || *got.Relation != "assistant" {
			t.Errorf("assistant's relation: %v", got.Relation)
		}

		var list struct{ Courses []courseJSON }
		tests := []struct {
			query string
			who   *client
			want  int
		}{
			{"", h.client(), 2},
			{"?teacher=me", tch, 1},
			{"?teacher=" + other.id, h.client(), 1},
			{"?limit=1", h.client(), 1},
			{"?offset=2", h.client(), 0},
		}
		for _, tt := range tests {
			r := tt.who.do("GET", "/api/v1/courses"+tt.query, nil)
			want(t, r, http.StatusOK)
			r.decode(t, &list)
			if len(list.Courses) != tt.want {
				t.Errorf("GET /courses%s: %d courses, want %d", tt.query, len(list.Courses), tt.want)
			}
		}
		want(t, h.client().do("GET", "/api/v1/courses?limit=-1", nil), http.StatusBadRequest)
		want(t, h.client().do("GET", "/api/v1/courses?limit=abc", nil), http.StatusBadRequest)
		want(t, h.client().do("GET", "/api/v1/courses?teacher=me", nil), http.StatusUnauthorized)
		want(t, h.client().do("GET", "/api/v1/courses/not-a-uuid", nil), http.StatusNotFound)
		want(t, h.client().do("GET", "/api/v1/courses/00000000-0000-0000-0000-000000000000", nil), http.StatusNotFound)
	})
}

func TestCourseCover(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		tch := h.teacher("tch@example.org")
		stu := h.register("stu@example.org", "S")
		c := tch.course("Covered")
		pic := pngBytes(t, 64, 36)
		want(t, stu.do("PUT", "/api/v1/courses/"+c.ID+"/cover", pic, "Content-Type", "image/png"), http.StatusForbidden)
		r := tch.do("PUT", "/api/v1/courses/"+c.ID+"/cover", pic, "Content-Type", "image/png")
		want(t, r, http.StatusOK)
		var got courseJSON
		r.decode(t, &got)
		if got.CoverURL == "" {
			t.Fatalf("no cover_url: %s", r.body)
		}
		img := h.client().do("GET", got.CoverURL, nil)
		if img.status != 200 || string(img.body) != string(pic) {
			t.Errorf("cover: %d, %d bytes", img.status, len(img.body))
		}
		want(t, tch.do("PUT", "/api/v1/courses/"+c.ID+"/cover", []byte("GIF89a"), "Content-Type", "image/gif"),
			http.StatusUnsupportedMediaType)
	})
}

func TestLessons(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		tch := h.teacher("tch@example.org")
		asst := h.register("asst@example.org", "A")
		stu := h.register("stu@example.org", "S")
		c := tch.course("Scheduled", asst.id)
		l2 := tch.lesson(c.ID, "Two", t0.Add(24*time.Hour), 45)
		l1 := tch.lesson(c.ID, "One", t0, 90)
		if l1.Status != "scheduled" || l1.DurationMinutes != 90 || !l1.StartsAt.Equal(t0) {
			t.Errorf("lesson = %+v", l1)
		}
		var list struct{ Lessons []lessonJSON }
		h.client().do("GET", "/api/v1/courses/"+c.ID+"/lessons", nil).decode(t, &list)
		if len(list.Lessons) != 2 || list.Lessons[0].ID != l1.ID || list.Lessons[1].ID != l2.ID {
			t.Errorf("lessons not in start order: %+v", list.Lessons)
		}

		bad := []struct {
			name   string
			body   any
			status int
		}{
			{"no title", map[string]any{"starts_at": t0, "duration_minutes": 60}, 422},
			{"no start", map[string]any{"title": "x", "duration_minutes": 60}, 422},
			{"zero duration", map[string]any{"title": "x", "starts_at": t0, "duration_minutes": 0}, 422},
			{"13 hours", map[string]any{"title": "x", "starts_at": t0, "duration_minutes": 13 * 60}, 422},
			{"negative", map[string]any{"title": "x", "starts_at": t0, "duration_minutes": -5}, 422},
			{"bad time", `{"title":"x","starts_at":"tomorrow","duration_minutes":60}`, 400},
			{"fractional minutes", `{"title":"x","starts_at":"2030-01-01T10:00:00Z","duration_minutes":1.5}`, 400},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				r := tch.do("POST", "/api/v1/courses/"+c.ID+"/lessons", tt.body)
				want(t, r, tt.status)
			})
		}
		want(t, asst.do("POST", "/api/v1/courses/"+c.ID+"/lessons", map[string]any{"title": "x", "starts_at": t0, "duration_minutes": 5}),
			http.StatusForbidden)

		// Edit: teacher only, scheduled only.
		r := tch.do("PATCH", "/api/v1/lessons/"+l1.ID, map[string]any{"title": "One (moved)", "starts_at": t0.Add(time.Hour)})
		want(t, r, http.StatusOK)
		want(t, stu.do("PATCH", "/api/v1/lessons/"+l1.ID, map[string]any{"title": "x"}), http.StatusForbidden)

		// Status: teacher or assistant, forward only.
		setStatus := func(who *client, id, status string) response {
			return who.do("POST", "/api/v1/lessons/"+id+"/status", map[string]string{"status": status})
		}
		want(t, setStatus(stu, l1.ID, "live"), http.StatusForbidden)
		want(t, setStatus(asst, l1.ID, "live"), http.StatusOK)
		want(t, setStatus(tch, l1.ID, "scheduled"), http.StatusConflict, "invalid_status_change")
		want(t, setStatus(tch, l1.ID, "paused"), http.StatusUnprocessableEntity, "invalid_input")
		want(t, tch.do("PATCH", "/api/v1/lessons/"+l1.ID, map[string]any{"title": "late edit"}), http.StatusConflict)
		want(t, setStatus(tch, l1.ID, "ended"), http.StatusOK)
		want(t, setStatus(tch, l1.ID, "live"), http.StatusConflict)
		var got lessonJSON
		h.client().do("GET", "/api/v1/lessons/"+l1.ID, nil).decode(t, &got)
		if got.Status != "ended" || got.Title != "One (moved)" {
			t.Errorf("lesson = %+v", got)
		}
		want(t, h.client().do("GET", "/api/v1/lessons/00000000-0000-0000-0000-000000000000", nil), http.StatusNotFound)
	})
}

func TestEnrolAndTimetable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		tch := h.teacher("tch@example.org")
		stu := h.register("stu@example.org", "S")
		c := tch.course("Enrol here")
		other := tch.course("Not enrolled")
		l := tch.lesson(c.ID, "Soon", t0, 60)
		tch.lesson(other.ID, "Elsewhere", t0, 60)

		want(t, h.client().do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusUnauthorized)
		r := stu.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil)
		want(t, r, http.StatusCreated)
		want(t, stu.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusConflict, "already_enrolled")
		want(t, tch.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusUnprocessableEntity)
		want(t, stu.do("POST", "/api/v1/courses/00000000-0000-0000-0000-000000000000/enrolment", nil), http.StatusNotFound)

		var courses struct{ Courses []courseJSON }
		stu.do("GET", "/api/v1/me/courses", nil).decode(t, &courses)
		if len(courses.Courses) != 1 || courses.Courses[0].ID != c.ID || *courses.Courses[0].Relation != "student" {
			t.Errorf("student's courses: %+v", courses.Courses)
		}
		tch.do("GET", "/api/v1/me/courses", nil).decode(t, &courses)
		if len(courses.Courses) != 2 {
			t.Errorf("teacher's courses: %+v", courses.Courses)
		}
		var lessons struct{ Lessons []lessonJSON }
		stu.do("GET", "/api/v1/me/lessons", nil).decode(t, &lessons)
		if len(lessons.Lessons) != 1 || lessons.Lessons[0].ID != l.ID || lessons.Lessons[0].CourseTitle != "Enrol here" ||
			lessons.Lessons[0].Relation != "student" {
			t.Errorf("student's timetable: %+v", lessons.Lessons)
		}
		want(t, h.client().do("GET", "/api/v1/me/lessons", nil), http.StatusUnauthorized)

		// A student role is needed to enrol.
		acc, _ := h.st.Account(t.Context(), stu.id)
		acc.Roles = classroom.Roles{}
		h.st.UpdateAccount(t.Context(), acc)
		want(t, stu.do("POST", "/api/v1/courses/"+other.ID+"/enrolment", nil), http.StatusForbidden)
	})
}
