package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
)

// TestBrowserPublishing: a teacher applies from the profile, an admin
// approves the teacher and then the course in /admin, the course appears
// in the catalogue search, a student buys it from its landing page with
// the dev test provider; a material the teacher adds then waits for the
// admin's approval in the console before the student sees it; then the
// admin finds the student in the console and gives the reviewer role. The
// store confirms each step.
func TestBrowserPublishing(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	requireInProcess(t, srv, "to create the admin")
	ctx := context.Background()
	const adminEmail, adminPassword = "chief@example.org", "a long admin password 42"
	if _, _, err := srv.app.API().EnsureAdmin(ctx, adminEmail, adminPassword, "Chief"); err != nil {
		t.Fatal(err)
	}
	s := startScript(t, 150*time.Second, "review", srv.URL, adminEmail, adminPassword)
	res := s.result(145 * time.Second)
	t.Logf("result: %v", res)

	if res["newBefore"] != false {
		t.Error("a student saw the new-course button before approval")
	}
	if res["stateBefore"] != "draft" {
		t.Errorf("a new course is %v, want draft", res["stateBefore"])
	}
	if n, _ := res["foundBefore"].(float64); n != 0 {
		t.Error("the catalogue search found a course in review")
	}
	if n, _ := res["rowsFound"].(float64); n != 1 {
		t.Errorf("account search found %v rows, want 1", n)
	}
	if n, _ := res["noticeText"].(string); !strings.Contains(n, "Rust for Poets") || !strings.Contains(n, "approved") {
		t.Errorf("teacher's notice %q", n)
	}
	id, _ := res["courseId"].(string)
	zhTag, _ := res["zhTag"].(string)
	wantTags := []any{"Rust", zhTag}
	for _, k := range []string{"cardTags", "landingTags"} {
		if got, _ := res[k].([]any); !slices.Equal(got, wantTags) {
			t.Errorf("%s = %v, want %v", k, got, wantTags)
		}
	}
	for _, k := range []string{"foundChinese", "foundByTag"} {
		if got, _ := res[k].([]any); !slices.Equal(got, []any{id}) {
			t.Errorf("%s = %v, want only the course %s", k, got, id)
		}
	}
	if u, _ := res["tagURL"].(string); !strings.Contains(u, "/courses?tag=") {
		t.Errorf("the tag link led to %q", u)
	}
	if p, _ := res["pendingText"].(string); !strings.Contains(p, "Waiting for review") {
		t.Errorf("the teacher's new material shows %q, want it waiting for review", p)
	}
	if res["studentMaterialsBefore"] != float64(0) || res["studentMaterialsAfter"] != float64(1) {
		t.Errorf("the student saw %v materials before the approval and %v after, want 0 and 1",
			res["studentMaterialsBefore"], res["studentMaterialsAfter"])
	}
	st := srv.app.Store()
	c, err := st.Course(ctx, id)
	if err != nil || c.State != classroom.StatePublished {
		t.Fatalf("course %v, %v", c.Review, err)
	}
	email, _ := res["studentEmail"].(string)
	acc, err := st.AccountByEmail(ctx, strings.ToLower(email))
	if err != nil || !acc.Roles.Has(classroom.RoleReviewer) {
		t.Fatalf("student roles %v, %v", acc.Roles, err)
	}
	entries, err := st.ListAudit(ctx, classroom.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[classroom.AuditAction]bool{}
	for _, e := range entries {
		seen[e.Action] = true
	}
	for _, a := range []classroom.AuditAction{classroom.AuditTeacherApprove, classroom.AuditCourseApprove, classroom.AuditAccountRoles,
		classroom.AuditMaterialApprove} {
		if !seen[a] {
			t.Errorf("no %s in the audit log", a)
		}
	}
}
