package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store/storetest"
)

// TestBrowserCourses: sign up, create a course, schedule a lesson; a second
// account signs up, enrols and joins the room from the course page, with
// no token in the URL.
func TestBrowserCourses(t *testing.T) {
	s := startTeacherScript(t, "courses", 90*time.Second, 45*time.Second)
	s.approveSubmitted(50 * time.Second)
	res := s.result(75 * time.Second)
	t.Logf("result: %v", res)

	if u, _ := res["studentRoomURL"].(string); !strings.Contains(u, "/lesson/") || strings.Contains(u, "token") {
		t.Errorf("student room URL %q", u)
	}
	if res["roomTitle"] != "Goroutines" {
		t.Errorf("room title %v", res["roomTitle"])
	}
	if res["teacherView"] != "teacher" || res["teacherRole"] != "teacher" {
		t.Errorf("teacher room: view %v role %v", res["teacherView"], res["teacherRole"])
	}
	if d, _ := res["description"].(string); !strings.Contains(d, "<script>alert(1)</script>") {
		t.Errorf("description shown as %q", d)
	}
	if n, _ := res["joinBefore"].(float64); n != 0 {
		t.Errorf("a non-member sees %v join buttons", n)
	}
	if up, _ := res["upcoming"].([]any); len(up) != 1 || up[0] != "Goroutines" {
		t.Errorf("upcoming lessons %v", res["upcoming"])
	}
}

// grantTeacher gives an account the teacher role, as an admin would.
// startTeacherScript runs scripts/<name>.mjs (bounded by timeout) against
// an in-process server, waits up to signUpWait for its "signedUp" line,
// gives that account the teacher role, as an administrator would, and
// tells the script so with a "teacher" line. args follow the URL. An external server
// (LECTERN_E2E_BASE_URL) cannot grant the role: that skips the test, or
// fails it under LECTERN_REQUIRE_ALL=1.
func startTeacherScript(t *testing.T, name string, timeout, signUpWait time.Duration, args ...string) *script {
	t.Helper()
	requireBrowser(t)
	srv := startServer(t)
	requireInProcess(t, srv, "to grant the teacher role")
	s := startScript(t, timeout, name, append([]string{srv.URL}, args...)...)
	ev := s.waitEventLine("signedUp", signUpWait)
	email, _ := ev["email"].(string)
	grantTeacher(t, srv, email)
	s.send("teacher")
	s.srv = srv
	return s
}

// approveSubmitted waits for the script's "submitted" event (lib.mjs
// submitForReview), publishes the course as a reviewer would, and answers
// "approved". The review in the browser is TestBrowserPublishing's.
func (s *script) approveSubmitted(timeout time.Duration) {
	s.t.Helper()
	ev := s.waitEventLine("submitted", timeout)
	id, _ := ev["course"].(string)
	storetest.Publish(s.t, s.srv.app.Store(), id)
	s.send("approved")
}

func grantTeacher(t *testing.T, srv *server, email string) {
	t.Helper()
	ctx := context.Background()
	st := srv.app.Store()
	acc, err := st.AccountByEmail(ctx, strings.ToLower(email))
	if err != nil {
		t.Fatalf("account %s: %v", email, err)
	}
	acc.Roles = acc.Roles.With(classroom.RoleTeacher)
	if err := st.UpdateAccount(ctx, acc); err != nil {
		t.Fatal(err)
	}
}
