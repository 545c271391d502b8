package api_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
)

func (c *client) getCourse(id string) (response, courseJSON) {
	c.h.t.Helper()
	r := c.do("GET", "/api/v1/courses/"+id, nil)
	var v courseJSON
	if r.status == http.StatusOK {
		r.decode(c.h.t, &v)
	}
	return r, v
}

func (h *harness) catalogue() []string {
	h.t.Helper()
	r := h.client().do("GET", "/api/v1/courses", nil)
	want(h.t, r, http.StatusOK)
	var out struct{ Courses []courseJSON }
	r.decode(h.t, &out)
	ids := make([]string, len(out.Courses))
	for i, c := range out.Courses {
		ids[i] = c.ID
	}
	return ids
}

func decide(c *client, id, decision, reason string, rev int64) response {
	c.h.t.Helper()
	return c.do("POST", "/api/v1/courses/"+id+"/review",
		map[string]any{"decision": decision, "reason": reason, "revision": rev})
}

// TestReviewWorkflow walks a course through draft → review → rejected →
// review → published → unpublished → archived with every role trying
// every step, on both backends.
func TestReviewWorkflow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		teacher := h.teacher("t@example.org")
		other := h.teacher("other@example.org")
		student := h.register("s@example.org", "Student")
		later := h.register("late@example.org", "Late")
		reviewer := h.register("r@example.org", "Reviewer")
		h.grant(reviewer, classroom.RoleReviewer)
		admin := h.register("a@example.org", "Admin")
		h.grant(admin, classroom.RoleAdmin, classroom.RoleTeacher)
		anon := h.client()

		r := teacher.do("POST", "/api/v1/courses", map[string]any{"title": "Go"})
		want(t, r, http.StatusCreated)
		var c courseJSON
		r.decode(t, &c)
		if c.State != "draft" || c.Revision != 1 {
			t.Fatalf("new course %+v, want a draft at revision 1", c)
		}
		id := c.ID

		// A draft is seen by its teacher and reviewers only, and sold to nobody.
		for _, who := range []*client{anon, student, other} {
			if r, _ := who.getCourse(id); r.status != http.StatusNotFound {
				t.Fatalf("draft visible: %d", r.status)
			}
		}
		if r, _ := reviewer.getCourse(id); r.status != http.StatusOK {
			t.Fatalf("reviewer cannot see the draft: %d", r.status)
		}
		if slices.Contains(h.catalogue(), id) {
			t.Fatal("draft in the catalogue")
		}
		secret := teacher.lesson(id, "Secret plans", time.Now().Add(time.Hour), 30)
		want(t, anon.do("GET", "/api/v1/lessons/"+secret.ID, nil), http.StatusNotFound)
		want(t, anon.do("GET", "/api/v1/courses/"+id+"/lessons", nil), http.StatusNotFound)
		want(t, student.do("GET", "/api/v1/courses/"+id+"/lessons", nil), http.StatusNotFound)
		want(t, teacher.do("GET", "/api/v1/courses/"+id+"/lessons", nil), http.StatusOK)
		want(t, student.do("POST", "/api/v1/courses/"+id+"/enrolment", nil), http.StatusNotFound, "not_found")

		// Only the teacher submits; nobody decides on a draft.
		want(t, other.do("POST", "/api/v1/courses/"+id+"/submit", nil), http.StatusForbidden)
		want(t, student.do("POST", "/api/v1/courses/"+id+"/submit", nil), http.StatusForbidden)
		want(t, admin.do("POST", "/api/v1/courses/"+id+"/submit", nil), http.StatusForbidden)
		want(t, decide(reviewer, id, "approve", "", 1), http.StatusConflict, "course_state")
		want(t, teacher.do("POST", "/api/v1/courses/"+id+"/submit", nil), http.StatusOK)
		want(t, teacher.do("POST", "/api/v1/courses/"+id+"/submit", nil), http.StatusConflict, "course_state")

		// The queue shows it to reviewers only.
		want(t, student.do("GET", "/api/v1/review/courses", nil), http.StatusForbidden)
		r = reviewer.do("GET", "/api/v1/review/courses", nil)
		want(t, r, http.StatusOK)
		var queue struct{ Courses []courseJSON }
		r.decode(t, &queue)
		if len(queue.Courses) != 1 || queue.Courses[0].ID != id || queue.Courses[0].State != "in_review" {
			t.Fatalf("queue %+v", queue.Courses)
		}

		// Who may not decide.
		want(t, decide(student, id, "approve", "", 1), http.StatusForbidden)
		want(t, decide(teacher, id, "approve", "", 1), http.StatusForbidden)
		want(t, decide(reviewer, id, "maybe", "", 1), http.StatusUnprocessableEntity)
		want(t, decide(reviewer, id, "approve", "", 0), http.StatusUnprocessableEntity)

		// Changed since it was submitted: the decision is refused until the
		// teacher resubmits.
		want(t, teacher.do("PATCH", "/api/v1/courses/"+id, map[string]any{"summary": "now with more"}), http.StatusOK)
		want(t, decide(reviewer, id, "approve", "", 1), http.StatusConflict, "conflict")
		want(t, decide(reviewer, id, "approve", "", 2), http.StatusConflict, "conflict")
		want(t, teacher.do("POST", "/api/v1/courses/"+id+"/submit", nil), http.StatusOK)

		// A rejection needs a reason, which the teacher sees.
		want(t, decide(reviewer, id, "reject", "  ", 2), http.StatusUnprocessableEntity, "invalid_input")
		want(t, decide(reviewer, id, "reject", "Add a syllabus", 2), http.StatusOK)
		_, c = teacher.getCourse(id)
		if c.State != "draft" || c.ReviewNote != "Add a syllabus" {
			t.Fatalf("after rejection %+v", c)
		}

		// Approved: published, listed, for sale.
		want(t, teacher.do("POST", "/api/v1/courses/"+id+"/submit", nil), http.StatusOK)
		want(t, decide(admin, id, "approve", "", 2), http.StatusOK)
		want(t, decide(reviewer, id, "approve", "", 2), http.StatusConflict, "course_state")
		if _, c = anon.getCourse(id); c.State != "published" || c.ReviewNote != "" {
			t.Fatalf("after approval %+v", c)
		}
		if !slices.Contains(h.catalogue(), id) {
			t.Fatal("published course not in the catalogue")
		}
		want(t, student.do("POST", "/api/v1/courses/"+id+"/enrolment", nil), http.StatusCreated)

		// Unpublished: out of the catalogue, still there for the enrolled.
		want(t, other.do("POST", "/api/v1/courses/"+id+"/unpublish", nil), http.StatusForbidden)
		want(t, student.do("POST", "/api/v1/courses/"+id+"/unpublish", nil), http.StatusForbidden)
		want(t, teacher.do("POST", "/api/v1/courses/"+id+"/unpublish", nil), http.StatusOK)
		if slices.Contains(h.catalogue(), id) {
			t.Fatal("unpublished course still in the catalogue")
		}
		if r, c := student.getCourse(id); r.status != http.StatusOK || c.Relation == nil || *c.Relation != "student" {
			t.Fatalf("enrolled student lost the unpublished course: %d %+v", r.status, c)
		}
		if r, _ := anon.getCourse(id); r.status != http.StatusNotFound {
			t.Fatalf("unpublished course visible to strangers: %d", r.status)
		}
		want(t, later.do("POST", "/api/v1/courses/"+id+"/enrolment", nil), http.StatusNotFound)

		// Archived by an admin: final, still there for the enrolled.
		want(t, admin.do("POST", "/api/v1/courses/"+id+"/archive", nil), http.StatusOK)
		want(t, admin.do("POST", "/api/v1/courses/"+id+"/archive", nil), http.StatusConflict, "course_state")
		want(t, teacher.do("POST", "/api/v1/courses/"+id+"/submit", nil), http.StatusConflict, "course_state")
		want(t, teacher.do("PATCH", "/api/v1/courses/"+id, map[string]any{"title": "again"}), http.StatusConflict, "course_state")
		if r, c := student.getCourse(id); r.status != http.StatusOK || c.State != "archived" {
			t.Fatalf("enrolled student lost the archived course: %d %+v", r.status, c)
		}
		if r := student.do("GET", "/api/v1/me/courses", nil); !strings.Contains(string(r.body), id) {
			t.Fatalf("archived course missing from my courses: %s", r.body)
		}

		// Nobody reviews their own course, admins included.
		r = admin.do("POST", "/api/v1/courses", map[string]any{"title": "Mine"})
		want(t, r, http.StatusCreated)
		var own courseJSON
		r.decode(t, &own)
		want(t, admin.do("POST", "/api/v1/courses/"+own.ID+"/submit", nil), http.StatusOK)
		want(t, decide(admin, own.ID, "approve", "", own.Revision), http.StatusForbidden, "own_course")

		// Every decision is in the audit log with its before and after.
		entries, err := h.st.ListAudit(context.Background(), classroom.AuditQuery{Target: id})
		if err != nil {
			t.Fatal(err)
		}
		var got []classroom.AuditAction
		for _, e := range entries {
			got = append(got, e.Action)
			if e.IP == "" || e.ActorEmail == "" || e.Before == "" || e.After == "" {
				t.Errorf("entry lacks who/where/before/after: %+v", e)
			}
		}
		slices.Reverse(got)
		wantActions := []classroom.AuditAction{classroom.AuditCourseReject, classroom.AuditCourseApprove,
			classroom.AuditCourseUnpublish, classroom.AuditCourseArchive}
		if !slices.Equal(got, wantActions) {
			t.Fatalf("audit %v, want %v", got, wantActions)
		}
	})
}

// TestCatalogueSearch: ?q= finds published courses by title, summary and
// teacher, case-insensitively, and never a draft.
func TestCatalogueSearch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		tch := h.register("zhao@example.org", "Zhao Lei")
		h.grant(tch, classroom.RoleTeacher)
		rust := tch.course("Rust for Poets")
		goC := tch.course("Go 并发编程")
		r := tch.do("POST", "/api/v1/courses", map[string]any{"title": "Rust draft"})
		want(t, r, http.StatusCreated)
		for q, wantIDs := range map[string][]string{
			"rust":     {rust.ID},
			"POETS":    {rust.ID},
			"并发":       {goC.ID},
			"zhao":     {goC.ID, rust.ID},
			"about go": {goC.ID},
			"100%":     {},
			"nothing":  {},
		} {
			r := h.client().do("GET", "/api/v1/courses?q="+url.QueryEscape(q), nil)
			want(t, r, http.StatusOK)
			var out struct{ Courses []courseJSON }
			r.decode(t, &out)
			var got []string
			for _, c := range out.Courses {
				got = append(got, c.ID)
			}
			slices.Sort(got)
			slices.Sort(wantIDs)
			if !slices.Equal(got, wantIDs) && !(len(got) == 0 && len(wantIDs) == 0) {
				t.Errorf("q=%q: %v, want %v", q, got, wantIDs)
			}
		}
		want(t, h.client().do("GET", "/api/v1/courses?q="+strings.Repeat("x", 201), nil), http.StatusBadRequest)
	})
}

// TestNotices: review and application decisions leave the teacher an
// in-app notice (kind and values, translated by the client); reading
// marks them read.
func TestNotices(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.register("boss@example.org", "Boss")
		h.grant(admin, classroom.RoleAdmin)
		u := h.register("u@example.org", "U")
		want(t, u.do("POST", "/api/v1/me/teacher-application", map[string]any{}), http.StatusCreated)
		want(t, admin.do("POST", "/api/v1/admin/teacher-applications/"+u.id+"/decision", map[string]any{"approve": true}), http.StatusOK)
		r := u.do("POST", "/api/v1/courses", map[string]any{"title": "Poems"})
		want(t, r, http.StatusCreated)
		var c courseJSON
		r.decode(t, &c)
		want(t, u.do("POST", "/api/v1/courses/"+c.ID+"/submit", nil), http.StatusOK)
		want(t, decide(admin, c.ID, "reject", "needs a syllabus", c.Revision), http.StatusOK)

		type notices struct {
			Notices []struct {
				Kind string            `json:"kind"`
				Vars map[string]string `json:"vars"`
				Read bool              `json:"read"`
			}
			Unread int
		}
		r = u.do("GET", "/api/v1/me/notices", nil)
		want(t, r, http.StatusOK)
		var got notices
		r.decode(t, &got)
		if got.Unread != 2 || len(got.Notices) != 2 || got.Notices[0].Kind != "course.rejected" ||
			got.Notices[0].Vars["reason"] != "needs a syllabus" || got.Notices[0].Vars["title"] != "Poems" ||
			got.Notices[1].Kind != "teacher.approved" {
			t.Fatalf("notices %+v", got)
		}
		want(t, u.do("POST", "/api/v1/me/notices/read", nil), http.StatusNoContent)
		r = u.do("GET", "/api/v1/me/notices", nil)
		got = notices{}
		r.decode(t, &got)
		if got.Unread != 0 || !got.Notices[0].Read {
			t.Fatalf("after reading %+v", got)
		}
		r = admin.do("GET", "/api/v1/me/notices", nil)
		got = notices{}
		r.decode(t, &got)
		if len(got.Notices) != 0 {
			t.Fatalf("someone else's notices: %+v", got)
		}
	})
}
