package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/token"
)

type joinJSON struct {
	Token  string     `json:"token"`
	Role   string     `json:"role"`
	Lesson lessonJSON `json:"lesson"`
}

func TestJoin(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		tch := h.teacher("tch@example.org")
		asst := h.register("asst@example.org", "Assistant 'A'")
		stu := h.register("stu@example.org", "Student")
		outsider := h.register("out@example.org", "Outsider")
		admin := h.register("admin@example.org", "Admin")
		h.grant(admin, classroom.RoleAdmin)
		c := tch.course("Joinable", asst.id)
		l := tch.lesson(c.ID, "Live one", t0, 60)
		want(t, stu.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusCreated)

		tests := []struct {
			name   string
			who    *client
			status int
			role   token.Role
		}{
			{"teacher", tch, 200, token.RoleTeacher},
			{"assistant", asst, 200, token.RoleAssistant},
			{"enrolled student", stu, 200, token.RoleStudent},
			{"outsider", outsider, 403, ""},
			{"admin without relation", admin, 403, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := tt.who.do("POST", "/api/v1/lessons/"+l.ID+"/join", nil)
				want(t, r, tt.status)
				if tt.status != 200 {
					if r.code() != "not_a_member" {
						t.Errorf("code %q", r.code())
					}
					return
				}
				var j joinJSON
				r.decode(t, &j)
				claims, err := h.signer.Verify(j.Token)
				if err != nil {
					t.Fatal(err)
				}
				if claims.Lesson != l.ID || claims.User != tt.who.id || claims.Role != tt.role ||
					j.Role != string(tt.role) || j.Lesson.ID != l.ID ||
					claims.Permissions != token.DefaultPermissions(tt.role) {
					t.Errorf("claims %+v, answer %s", claims, r.body)
				}
			})
		}
		anon := h.client()
		want(t, anon.do("POST", "/api/v1/lessons/"+l.ID+"/join", nil), http.StatusUnauthorized)
		csrf := stu.csrf
		stu.csrf = ""
		want(t, stu.do("POST", "/api/v1/lessons/"+l.ID+"/join", nil), http.StatusForbidden, "csrf")
		stu.csrf = csrf
		want(t, stu.do("POST", "/api/v1/lessons/00000000-0000-0000-0000-000000000000/join", nil), http.StatusNotFound)
		want(t, stu.do("POST", "/api/v1/lessons/x'%3B--/join", nil), http.StatusNotFound)

		tch.do("POST", "/api/v1/lessons/"+l.ID+"/status", map[string]string{"status": "ended"})
		want(t, stu.do("POST", "/api/v1/lessons/"+l.ID+"/join", nil), http.StatusConflict, "lesson_ended")
	})
}

// paidOnly is an AccessPolicy that wants payment for every course.
type paidOnly struct{}

func (paidOnly) MayEnrol(context.Context, classroom.Account, classroom.Course) error {
	return classroom.ErrEntitlementRequired
}

func (paidOnly) MayAccess(context.Context, classroom.Account, classroom.Course, string) error {
	return classroom.ErrEntitlementRequired
}

func TestAccessPolicyHook(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		tch := h.teacher("tch@example.org")
		stu := h.register("stu@example.org", "S")
		c := tch.course("Paid")
		l := tch.lesson(c.ID, "Paid lesson", t0, 60)
		want(t, stu.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusPaymentRequired, "payment_required")
		// Enrolled by other means (e.g. before the course became paid).
		h.st.Enrol(t.Context(), classroom.Enrolment{CourseID: c.ID, AccountID: stu.id, CreatedAt: t0})
		want(t, stu.do("POST", "/api/v1/lessons/"+l.ID+"/join", nil), http.StatusPaymentRequired, "payment_required")
		want(t, tch.do("POST", "/api/v1/lessons/"+l.ID+"/join", nil), http.StatusOK)
	}, func(cfg *api.Config) { cfg.Access = paidOnly{} })
}
