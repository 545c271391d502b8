package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/lectern/lectern/classroom"
)

// classOf is a paid course's people, each in one standing the access
// policy decides on, and its lessons.
type classOf struct {
	course, other                string // the paid course, another of the teacher's
	lesson, preview              string // a paid lesson, a free-preview one
	teacher, assistant, entitled *client
	refunded, removed, banned    *client // paid, then refunded / removed by the teacher / banned from lesson
	unpaid, stranger             *client // enrolled without paying; entitled to the other course only
	admin, reviewer, anonymous   *client
	refund                       func() // refunds the refunded student in full
}

// paidClass makes a classOf. Refunds and removals are left to the test
// (refund, and DELETE …/students/{removed}) so it can act before them.
func (h *matHarness) paidClass(t *testing.T) classOf {
	t.Helper()
	var k classOf
	k.teacher, k.course, k.other, k.preview = h.paidCourses(t)
	k.lesson = k.teacher.createLesson(t, k.course)
	k.assistant = h.register("assistant@example.org", "Assistant")
	want(t, k.teacher.do("PATCH", "/api/v1/courses/"+k.course, map[string]any{"assistants": []string{k.assistant.id}}), http.StatusOK)
	k.entitled = h.register("entitled@example.org", "Entitled")
	h.buy(t, k.entitled, k.course)
	k.refunded = h.register("refunded@example.org", "Refunded")
	order := h.buy(t, k.refunded, k.course)
	k.removed = h.register("removed@example.org", "Removed")
	h.buy(t, k.removed, k.course)
	k.banned = h.register("banned@example.org", "Banned")
	h.buy(t, k.banned, k.course)
	h.bans.ban(k.lesson, k.banned.id)
	k.unpaid = h.register("unpaid@example.org", "Unpaid")
	want(t, k.unpaid.do("POST", "/api/v1/courses/"+k.course+"/enrolment", nil), http.StatusCreated)
	k.stranger = h.register("stranger@example.org", "Stranger")
	h.buy(t, k.stranger, k.other)
	k.admin = h.register("admin@example.org", "Admin")
	h.grant(k.admin, classroom.RoleAdmin)
	k.reviewer = h.register("reviewer@example.org", "Reviewer")
	h.grant(k.reviewer, classroom.RoleReviewer)
	k.anonymous = h.client()
	k.refund = func() {
		t.Helper()
		ctx := context.Background()
		aacc, _ := h.st.Account(ctx, k.admin.id)
		if _, err := h.bill.AdminRefund(ctx, aacc, order, 0, "refund"); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

// remove takes the removed student out of the course, as its teacher.
func (k classOf) remove(t *testing.T) {
	t.Helper()
	want(t, k.teacher.do("DELETE", "/api/v1/courses/"+k.course+"/students/"+k.removed.id, nil), http.StatusNoContent)
}

// who names the people of a classOf for a matrix row.
func (k classOf) who() []struct {
	name string
	c    *client
} {
	return []struct {
		name string
		c    *client
	}{
		{"teacher", k.teacher}, {"assistant", k.assistant}, {"entitled", k.entitled}, {"refunded", k.refunded},
		{"removed", k.removed}, {"banned", k.banned}, {"unpaid", k.unpaid}, {"stranger", k.stranger},
		{"admin", k.admin}, {"reviewer", k.reviewer}, {"anonymous", k.anonymous},
	}
}

// outcome is a status and error code ("" for success).
type outcome struct {
	status int
	code   string
}

var (
	opened        = outcome{http.StatusOK, ""}
	paymentNeeded = outcome{http.StatusPaymentRequired, "payment_required"}
	notMember     = outcome{http.StatusForbidden, "not_a_member"}
	bannedOut     = outcome{http.StatusForbidden, "banned"}
	signInFirst   = outcome{http.StatusUnauthorized, "unauthenticated"}
)

// expect reports (and goes on) when r is not o, naming what was asked.
func expect(t *testing.T, what string, r response, o outcome) {
	t.Helper()
	if r.status != o.status || (o.code != "" && r.code() != o.code) {
		t.Errorf("%s: %d %q, want %d %q; body %s", what, r.status, r.code(), o.status, o.code, r.body)
	}
}

// listEach lists path as each person of k: the refused get their refusal;
// everyone else 200 with exactly the ids in lists (the items under key),
// and can_edit for the teacher and the admin alone.
func (k classOf) listEach(t *testing.T, path, key string, lists map[string][]string, refused map[string]outcome) {
	t.Helper()
	for _, p := range k.who() {
		r := p.c.do("GET", path, nil)
		if o, ok := refused[p.name]; ok {
			expect(t, p.name+" lists", r, o)
			continue
		}
		expect(t, p.name+" lists", r, opened)
		var body map[string]json.RawMessage
		r.decode(t, &body)
		var items []struct{ ID string }
		var canEdit bool
		if err := json.Unmarshal(body[key], &items); err != nil {
			t.Fatalf("%s: %s: %v", p.name, key, err)
		}
		if err := json.Unmarshal(body["can_edit"], &canEdit); err != nil {
			t.Fatalf("%s: can_edit: %v", p.name, err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.ID)
		}
		if !sameSet(got, lists[p.name]) {
			t.Errorf("%s lists %v, want %v", p.name, got, lists[p.name])
		}
		if editor := p.name == "teacher" || p.name == "admin"; canEdit != editor {
			t.Errorf("%s: can_edit %v", p.name, canEdit)
		}
	}
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s]--; seen[s] < 0 {
			return false
		}
	}
	return true
}
