package api_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/api"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestMaterialReview: a new material of a published course waits for a
// reviewer, hidden from students, unless its teacher is trusted; a
// rejection's reason reaches the teacher; the queue lists what waits.
func TestMaterialReview(t *testing.T) {
	storetest.ForEach(t, testMaterialReview)
}

// materialNames lists the names of the course's materials c sees.
func materialNames(t *testing.T, c *client, courseID string) map[string]content.Material {
	t.Helper()
	r := c.do("GET", "/api/v1/courses/"+courseID+"/materials", nil)
	want(t, r, http.StatusOK)
	var out struct{ Materials []content.Material }
	r.decode(t, &out)
	m := map[string]content.Material{}
	for _, mat := range out.Materials {
		m[mat.Name] = mat
	}
	return m
}

func testMaterialReview(t *testing.T, st *store.Store) {
	ctx := context.Background()
	h := newMatHarness(t, st)
	teacher := h.teacher("teacher@example.org")
	r := teacher.do("POST", "/api/v1/courses", map[string]any{"title": "Poetry"})
	want(t, r, http.StatusCreated)
	var cj courseJSON
	r.decode(t, &cj)
	courseID := cj.ID
	draft := teacher.mustUpload(t, courseID, "", "before.txt", []byte("reviewed with the course"))
	if draft.Review != content.ReviewApproved {
		t.Fatalf("a draft course's material is %q, want approved (reviewed with the course)", draft.Review)
	}
	storetest.Publish(t, st, courseID)
	student := h.register("student@example.org", "Student")
	want(t, student.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)
	reviewer := h.register("reviewer@example.org", "Reviewer")
	h.grant(reviewer, classroom.RoleReviewer)
	admin := h.register("admin@example.org", "Admin")
	h.grant(admin, classroom.RoleAdmin)

	late := teacher.mustUpload(t, courseID, "", "late.txt", []byte("added after publication"))
	if late.Review != content.ReviewPending {
		t.Fatalf("a published course's new material is %q, want pending", late.Review)
	}
	// Hidden from the student, in the list and at every door; shown to
	// the teacher and the reviewer.
	if got := materialNames(t, student, courseID); len(got) != 1 || got["before.txt"].ID == "" {
		t.Fatalf("student sees %v", got)
	}
	want(t, student.do("GET", "/api/v1/materials/"+late.ID+"/link", nil), http.StatusNotFound, "not_found")
	if got := materialNames(t, teacher, courseID); got["late.txt"].Review != content.ReviewPending {
		t.Fatalf("teacher sees %v", got)
	}
	want(t, reviewer.do("GET", "/api/v1/materials/"+late.ID+"/link", nil), http.StatusOK)

	// The queue, for reviewers only.
	want(t, student.do("GET", "/api/v1/review/materials", nil), http.StatusForbidden)
	r = reviewer.do("GET", "/api/v1/review/materials", nil)
	want(t, r, http.StatusOK)
	var q struct {
		Materials []struct {
			ID          string
			CourseTitle string `json:"course_title"`
		}
	}
	r.decode(t, &q)
	if len(q.Materials) != 1 || q.Materials[0].ID != late.ID || q.Materials[0].CourseTitle != "Poetry" {
		t.Fatalf("queue %+v", q.Materials)
	}

	// Decisions: reviewers only, never on one's own course, a reason to
	// reject, only while pending.
	review := func(c *client, id, decision, reason string) response {
		return c.do("POST", "/api/v1/materials/"+id+"/review", map[string]any{"decision": decision, "reason": reason})
	}
	want(t, review(student, late.ID, "approve", ""), http.StatusForbidden)
	h.grant(teacher, classroom.RoleTeacher, classroom.RoleReviewer)
	want(t, review(teacher, late.ID, "approve", ""), http.StatusForbidden, "own_course")
	want(t, review(reviewer, late.ID, "maybe", ""), http.StatusUnprocessableEntity)
	want(t, review(reviewer, late.ID, "reject", "  "), http.StatusUnprocessableEntity, "invalid_input")
	want(t, review(reviewer, late.ID, "reject", "bad\x00reason"), http.StatusUnprocessableEntity, "invalid_input")
	want(t, review(reviewer, late.ID, "reject", "The scan is unreadable."), http.StatusOK)
	want(t, review(reviewer, late.ID, "approve", ""), http.StatusConflict, "not_pending")
	want(t, review(reviewer, draft.ID, "approve", ""), http.StatusConflict, "not_pending")
	if got := materialNames(t, teacher, courseID)["late.txt"]; got.Review != content.ReviewRejected || got.ReviewNote != "The scan is unreadable." {
		t.Fatalf("teacher sees the rejected material as %+v", got)
	}
	if got := materialNames(t, student, courseID); len(got) != 1 {
		t.Fatalf("student sees a rejected material: %v", got)
	}
	notices, err := st.Notices(ctx, teacher.id, classroom.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(notices) != 1 || notices[0].Kind != classroom.NoticeMaterialRejected || notices[0].Vars["reason"] != "The scan is unreadable." ||
		notices[0].Vars["name"] != "late.txt" {
		t.Fatalf("teacher's notices %+v", notices)
	}

	// Approved: the student sees it.
	next := teacher.mustUpload(t, courseID, "", "next.txt", []byte("a fine handout"))
	want(t, review(reviewer, next.ID, "approve", ""), http.StatusOK)
	if got := materialNames(t, student, courseID); got["next.txt"].ID != next.ID {
		t.Fatalf("student does not see the approved material: %v", got)
	}
	student.link(t, next.ID, false)

	// A trusted teacher's materials need no review; the mark is the
	// admin's, audited.
	want(t, reviewer.do("POST", "/api/v1/admin/accounts/"+teacher.id+"/trust", map[string]any{"trusted": true}), http.StatusForbidden)
	want(t, admin.do("POST", "/api/v1/admin/accounts/"+teacher.id+"/trust", map[string]any{}), http.StatusUnprocessableEntity)
	r = admin.do("POST", "/api/v1/admin/accounts/"+teacher.id+"/trust", map[string]any{"trusted": true})
	want(t, r, http.StatusOK)
	var acc struct{ Trusted bool }
	r.decode(t, &acc)
	if !acc.Trusted {
		t.Fatal("trust not shown")
	}
	trusted := teacher.mustUpload(t, courseID, "", "trusted.txt", []byte("no review needed"))
	if trusted.Review != content.ReviewApproved {
		t.Fatalf("a trusted teacher's material is %q", trusted.Review)
	}
	want(t, admin.do("POST", "/api/v1/admin/accounts/"+teacher.id+"/trust", map[string]any{"trusted": false}), http.StatusOK)
	if again := teacher.mustUpload(t, courseID, "", "again.txt", []byte("reviewed again")); again.Review != content.ReviewPending {
		t.Fatalf("after the trust is withdrawn, a material is %q", again.Review)
	}
	entries, err := st.ListAudit(ctx, classroom.AuditQuery{Target: teacher.id})
	if err != nil {
		t.Fatal(err)
	}
	var trust, untrust int
	for _, e := range entries {
		switch e.Action {
		case classroom.AuditAccountTrust:
			trust++
		case classroom.AuditAccountUntrust:
			untrust++
		}
	}
	if trust != 1 || untrust != 1 {
		t.Fatalf("audit of trust: %+v", entries)
	}
}

// materialsOn returns the materials endpoints of h (a blob store and
// upload directory of their own), to mount next to other routes.
func materialsOn(t *testing.T, h *harness) *api.Materials {
	t.Helper()
	dir := t.TempDir()
	disk, err := content.NewDisk(filepath.Join(dir, "materials"))
	if err != nil {
		t.Fatal(err)
	}
	mats, err := api.NewMaterials(h.api, api.MaterialsConfig{Service: content.NewService(disk, h.st),
		Signer: content.NewURLSigner(testSecret), UploadDir: filepath.Join(dir, "uploads")})
	if err != nil {
		t.Fatal(err)
	}
	return mats
}

// pendingMaterial records a material of courseID by teacherID waiting for
// review, straight in the store.
func pendingMaterial(t *testing.T, st *store.Store, courseID, teacherID string) content.Material {
	t.Helper()
	m := content.Material{ID: uuid.NewString(), CourseID: courseID, Name: "handout.txt", MediaType: "text/plain",
		Kind: content.KindDocument, Size: 5, SHA256: strings.Repeat("0", 48) + uuid.NewString()[:16], Status: content.StatusReady,
		CreatedBy: teacherID, CreatedAt: time.Now().UTC().Truncate(time.Millisecond), Review: content.ReviewPending}
	if err := st.InsertMaterial(context.Background(), m, 0); err != nil {
		t.Fatal(err)
	}
	return m
}
