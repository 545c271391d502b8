package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store/storetest"
)

// TestTeacherProfile: a teacher writes a biography on their profile; the
// public profile (no sign-in) shows it with their published courses
// only; a student's account has no public profile, nor has one whose
// teacher role was withdrawn unless it teaches a published course; a bad
// biography is refused and changes nothing.
func TestTeacherProfile(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		teacher := h.teacher("wang@example.org")
		bio := "教了十年诗词。\nTen years of teaching poetry."
		want(t, teacher.do("PATCH", "/api/v1/me", map[string]any{"bio": bio}), http.StatusOK)
		want(t, teacher.do("PATCH", "/api/v1/me", map[string]any{"bio": strings.Repeat("长", 2001)}), http.StatusUnprocessableEntity)
		want(t, teacher.do("PATCH", "/api/v1/me", map[string]any{"bio": "bad\x00byte"}), http.StatusUnprocessableEntity)
		var ids []string
		for _, title := range []string{"唐诗", "宋词", "Draft"} {
			r := teacher.do("POST", "/api/v1/courses", map[string]any{"title": title})
			want(t, r, http.StatusCreated)
			var c courseJSON
			r.decode(t, &c)
			ids = append(ids, c.ID)
		}
		storetest.Publish(t, h.st, ids[0])
		storetest.Publish(t, h.st, ids[1])

		r := h.client().do("GET", "/api/v1/teachers/"+teacher.id, nil)
		want(t, r, http.StatusOK)
		var p struct {
			DisplayName string `json:"display_name"`
			Bio         string
			Courses     []struct{ ID, Title string }
		}
		r.decode(t, &p)
		if p.Bio != bio || p.DisplayName == "" {
			t.Fatalf("profile %+v", p)
		}
		if len(p.Courses) != 2 || p.Courses[0].ID != ids[1] || p.Courses[1].ID != ids[0] {
			t.Fatalf("profile's courses %+v, want the two published, newest first", p.Courses)
		}
		student := h.register("li@example.org", "Li")
		want(t, h.client().do("GET", "/api/v1/teachers/"+student.id, nil), http.StatusNotFound)
		want(t, h.client().do("GET", "/api/v1/teachers/not-an-id", nil), http.StatusNotFound)

		// An account without the teacher role (withdrawn) has a profile
		// while it teaches a published course, and not otherwise.
		former := h.teacher("former@example.org")
		r = former.do("POST", "/api/v1/courses", map[string]any{"title": "元曲"})
		want(t, r, http.StatusCreated)
		var own courseJSON
		r.decode(t, &own)
		ctx := context.Background()
		acc, err := h.st.Account(ctx, former.id)
		if err != nil {
			t.Fatal(err)
		}
		acc.Roles = classroom.Roles{classroom.RoleStudent}
		if err := h.st.UpdateAccount(ctx, acc); err != nil {
			t.Fatal(err)
		}
		want(t, h.client().do("GET", "/api/v1/teachers/"+former.id, nil), http.StatusNotFound)
		storetest.Publish(t, h.st, own.ID)
		r = h.client().do("GET", "/api/v1/teachers/"+former.id, nil)
		want(t, r, http.StatusOK)
		var fp struct{ Courses []struct{ ID string } }
		r.decode(t, &fp)
		if len(fp.Courses) != 1 || fp.Courses[0].ID != own.ID {
			t.Fatalf("the former teacher's profile lists %+v, want their published course", fp.Courses)
		}
		want(t, h.client().do("GET", "/api/v1/teachers/00000000-0000-4000-8000-000000000000", nil), http.StatusNotFound)
	})
}
