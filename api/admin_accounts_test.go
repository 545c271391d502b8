package api_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
)

type accountJSON struct {
	ID       string   `json:"id"`
	Email    string   `json:"email"`
	Roles    []string `json:"roles"`
	Disabled bool     `json:"disabled"`
}

func searchAccounts(t *testing.T, c *client, q string) []accountJSON {
	t.Helper()
	r := c.do("GET", "/api/v1/admin/accounts?q="+q, nil)
	want(t, r, http.StatusOK)
	var out struct{ Accounts []accountJSON }
	r.decode(t, &out)
	return out.Accounts
}

// TestAdminAccounts: search by email or name, roles, disable/enable, sign
// out everywhere; the bad cases (non-admins, own account) refused.
func TestAdminAccounts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.register("boss@example.org", "Boss")
		h.grant(admin, classroom.RoleAdmin)
		student := h.register("wang.li@example.org", "Wang Li")
		h.register("other@example.org", "Other")

		if got := searchAccounts(t, admin, "WANG"); len(got) != 1 || got[0].ID != student.id {
			t.Fatalf("search by name: %+v", got)
		}
		if got := searchAccounts(t, admin, "li%40example"); len(got) != 1 || got[0].Email != "wang.li@example.org" {
			t.Fatalf("search by email: %+v", got)
		}
		if got := searchAccounts(t, admin, "example.org"); len(got) != 3 {
			t.Fatalf("search by domain: %d accounts", len(got))
		}
		want(t, student.do("GET", "/api/v1/admin/accounts?q=x", nil), http.StatusForbidden)

		r := admin.do("PUT", "/api/v1/admin/accounts/"+student.id+"/roles", map[string]any{"roles": []string{"student", "reviewer"}})
		want(t, r, http.StatusOK)
		var acc accountJSON
		r.decode(t, &acc)
		if !slices.Equal(acc.Roles, []string{"reviewer", "student"}) {
			t.Fatalf("roles %v", acc.Roles)
		}
		want(t, admin.do("PUT", "/api/v1/admin/accounts/"+student.id+"/roles", map[string]any{"roles": []string{"root"}}),
			http.StatusUnprocessableEntity)
		want(t, student.do("PUT", "/api/v1/admin/accounts/"+student.id+"/roles", map[string]any{"roles": []string{"admin"}}),
			http.StatusForbidden)
		want(t, admin.do("PUT", "/api/v1/admin/accounts/"+admin.id+"/roles", map[string]any{"roles": []string{"student"}}),
			http.StatusUnprocessableEntity)

		// Disabling signs the account out and keeps it out; enabling lets it back.
		want(t, admin.do("POST", "/api/v1/admin/accounts/"+admin.id+"/disable", nil), http.StatusConflict, "own_account")
		want(t, student.do("POST", "/api/v1/admin/accounts/"+admin.id+"/disable", nil), http.StatusForbidden)
		want(t, admin.do("POST", "/api/v1/admin/accounts/"+student.id+"/disable", nil), http.StatusOK)
		want(t, student.do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
		want(t, h.client().do("POST", "/api/v1/sessions", map[string]string{"email": "wang.li@example.org", "password": goodPassword}),
			http.StatusForbidden, "account_disabled")
		want(t, admin.do("POST", "/api/v1/admin/accounts/"+student.id+"/enable", nil), http.StatusOK)
		again := h.signIn("wang.li@example.org", goodPassword)

		// Sign out everywhere.
		r = admin.do("DELETE", "/api/v1/admin/accounts/"+student.id+"/sessions", nil)
		want(t, r, http.StatusOK)
		want(t, again.do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
		want(t, admin.do("POST", "/api/v1/admin/accounts/00000000-0000-0000-0000-000000000000/disable", nil), http.StatusNotFound)
	})
}

// TestTeacherApplication: a student applies from their profile, an admin
// approves, the account can then create courses.
func TestTeacherApplication(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.register("boss@example.org", "Boss")
		h.grant(admin, classroom.RoleAdmin)
		u := h.register("would-be@example.org", "Would Be")
		want(t, u.do("GET", "/api/v1/me/teacher-application", nil), http.StatusNotFound)
		want(t, u.do("POST", "/api/v1/courses", map[string]any{"title": "Too soon"}), http.StatusForbidden)
		want(t, u.do("POST", "/api/v1/me/teacher-application", map[string]any{"message": "I teach Go"}), http.StatusCreated)
		want(t, u.do("POST", "/api/v1/me/teacher-application", map[string]any{"message": "again"}), http.StatusConflict, "already_applied")
		want(t, u.do("GET", "/api/v1/admin/teacher-applications", nil), http.StatusForbidden)

		r := admin.do("GET", "/api/v1/admin/teacher-applications?status=pending", nil)
		want(t, r, http.StatusOK)
		var list struct {
			Applications []struct {
				AccountID string `json:"account_id"`
				Email     string `json:"email"`
				Message   string `json:"message"`
			}
		}
		r.decode(t, &list)
		if len(list.Applications) != 1 || list.Applications[0].Email != "would-be@example.org" || list.Applications[0].Message != "I teach Go" {
			t.Fatalf("applications %+v", list.Applications)
		}
		want(t, admin.do("GET", "/api/v1/admin/teacher-applications?status=odd", nil), http.StatusBadRequest)
		want(t, admin.do("POST", "/api/v1/admin/teacher-applications/"+u.id+"/decision", map[string]any{"approve": false}),
			http.StatusUnprocessableEntity)
		want(t, admin.do("POST", "/api/v1/admin/teacher-applications/"+u.id+"/decision", map[string]any{"approve": true}), http.StatusOK)
		want(t, admin.do("POST", "/api/v1/admin/teacher-applications/"+u.id+"/decision", map[string]any{"approve": true}),
			http.StatusConflict, "conflict")
		want(t, u.do("POST", "/api/v1/courses", map[string]any{"title": "Now"}), http.StatusCreated)
		want(t, u.do("POST", "/api/v1/me/teacher-application", map[string]any{"message": "more"}), http.StatusConflict, "already_applied")
	})
}

// TestAuditedActions performs every action classroom.AuditedActions names
// and checks each left one entry with who, when, from where, before and
// after; then searches and exports the log. Price changes and refund
// decisions go through billing's HTTP routes.
func TestAuditedActions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		bill := withBilling(t, h, materialsOn(t, h).Register)
		admin := h.register("boss@example.org", "Boss")
		h.grant(admin, classroom.RoleAdmin, classroom.RoleTeacher)
		tch := h.teacher("t@example.org")
		u1 := h.register("u1@example.org", "U1")
		u2 := h.register("u2@example.org", "U2")

		mkSubmitted := func(title string) courseJSON {
			r := tch.do("POST", "/api/v1/courses", map[string]any{"title": title})
			want(t, r, http.StatusCreated)
			var c courseJSON
			r.decode(t, &c)
			want(t, tch.do("POST", "/api/v1/courses/"+c.ID+"/submit", nil), http.StatusOK)
			return c
		}
		var published courseJSON // approved, then priced and bought
		requestRefund := func(s *client, orderID string) string {
			r := s.do("POST", "/api/v1/orders/"+orderID+"/refund-requests", map[string]any{"reason": "changed my mind"})
			want(t, r, http.StatusCreated)
			var rf struct{ ID string }
			r.decode(t, &rf)
			return rf.ID
		}
		var order string
		buyer := h.register("buyer@example.org", "Buyer")
		perform := map[classroom.AuditAction]func(){
			classroom.AuditCourseApprove: func() {
				c := mkSubmitted("A")
				want(t, decide(admin, c.ID, "approve", "", c.Revision), http.StatusOK)
				published = c
			},
			classroom.AuditPriceSet: func() {
				want(t, tch.do("PUT", "/api/v1/courses/"+published.ID+"/price", map[string]any{"amount": 5000, "currency": "CNY"}),
					http.StatusOK)
			},
			classroom.AuditRefundDecline: func() {
				order = paidOrder(t, h, bill, buyer, published.ID)
				want(t, tch.do("POST", "/api/v1/refunds/"+requestRefund(buyer, order)+"/decline", map[string]any{"note": "no"}),
					http.StatusOK)
			},
			classroom.AuditRefundApprove: func() {
				want(t, tch.do("POST", "/api/v1/refunds/"+requestRefund(buyer, order)+"/approve", map[string]any{}), http.StatusOK)
			},
			classroom.AuditRefundAdmin: func() {
				o := paidOrder(t, h, bill, h.register("b2@example.org", "B2"), published.ID)
				want(t, admin.do("POST", "/api/v1/orders/"+o+"/refunds", map[string]any{"amount": 1000, "note": "goodwill"}),
					http.StatusCreated)
			},
			classroom.AuditPriceRemove: func() {
				want(t, tch.do("DELETE", "/api/v1/courses/"+published.ID+"/price", nil), http.StatusNoContent)
			},
			classroom.AuditCourseReject: func() {
				c := mkSubmitted("R")
				want(t, decide(admin, c.ID, "reject", "no", c.Revision), http.StatusOK)
			},
			classroom.AuditCourseUnpublish: func() {
				c := mkSubmitted("U")
				want(t, decide(admin, c.ID, "approve", "", c.Revision), http.StatusOK)
				want(t, admin.do("POST", "/api/v1/courses/"+c.ID+"/unpublish", nil), http.StatusOK)
			},
			classroom.AuditCourseArchive: func() {
				c := mkSubmitted("X")
				want(t, tch.do("POST", "/api/v1/courses/"+c.ID+"/archive", nil), http.StatusOK)
			},
			classroom.AuditAccountRoles: func() {
				want(t, admin.do("PUT", "/api/v1/admin/accounts/"+u1.id+"/roles", map[string]any{"roles": []string{"reviewer"}}), http.StatusOK)
			},
			classroom.AuditAccountDisable: func() {
				want(t, admin.do("POST", "/api/v1/admin/accounts/"+u2.id+"/disable", nil), http.StatusOK)
			},
			classroom.AuditAccountEnable: func() {
				want(t, admin.do("POST", "/api/v1/admin/accounts/"+u2.id+"/enable", nil), http.StatusOK)
			},
			classroom.AuditAccountSignOutAll: func() {
				want(t, admin.do("DELETE", "/api/v1/admin/accounts/"+u1.id+"/sessions", nil), http.StatusOK)
			},
			classroom.AuditTeacherApprove: func() {
				a := h.register("ta@example.org", "TA")
				want(t, a.do("POST", "/api/v1/me/teacher-application", map[string]any{}), http.StatusCreated)
				want(t, admin.do("POST", "/api/v1/admin/teacher-applications/"+a.id+"/decision", map[string]any{"approve": true}), http.StatusOK)
			},
			classroom.AuditAccountTrust: func() {
				want(t, admin.do("POST", "/api/v1/admin/accounts/"+tch.id+"/trust", map[string]any{"trusted": true}), http.StatusOK)
			},
			classroom.AuditAccountUntrust: func() {
				want(t, admin.do("POST", "/api/v1/admin/accounts/"+tch.id+"/trust", map[string]any{"trusted": false}), http.StatusOK)
			},
			classroom.AuditMaterialApprove: func() {
				m := pendingMaterial(t, h.st, published.ID, tch.id)
				want(t, admin.do("POST", "/api/v1/materials/"+m.ID+"/review", map[string]any{"decision": "approve"}), http.StatusOK)
			},
			classroom.AuditMaterialReject: func() {
				m := pendingMaterial(t, h.st, published.ID, tch.id)
				want(t, admin.do("POST", "/api/v1/materials/"+m.ID+"/review", map[string]any{"decision": "reject", "reason": "blurry"}),
					http.StatusOK)
			},
			classroom.AuditLessonEnd: func() {
				r := tch.do("POST", "/api/v1/courses/"+published.ID+"/lessons", map[string]any{"title": "Live",
					"starts_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "duration_minutes": 60})
				want(t, r, http.StatusCreated)
				var l struct{ ID string }
				r.decode(t, &l)
				want(t, tch.do("POST", "/api/v1/lessons/"+l.ID+"/status", map[string]any{"status": "live"}), http.StatusOK)
				want(t, admin.do("POST", "/api/v1/admin/live-lessons/"+l.ID+"/end", nil), http.StatusOK)
			},
			classroom.AuditTeacherReject: func() {
				a := h.register("tr@example.org", "TR")
				want(t, a.do("POST", "/api/v1/me/teacher-application", map[string]any{}), http.StatusCreated)
				want(t, admin.do("POST", "/api/v1/admin/teacher-applications/"+a.id+"/decision",
					map[string]any{"approve": false, "reason": "=cmd()"}), http.StatusOK)
			},
		}
		for _, action := range classroom.AuditedActions() {
			do, ok := perform[action]
			if !ok {
				t.Fatalf("no step performs the audited action %q", action)
			}
			do()
			entries, err := h.st.ListAudit(context.Background(), classroom.AuditQuery{Action: action})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Fatalf("%s: %d entries, want 1", action, len(entries))
			}
			e := entries[0]
			if e.ActorID != admin.id && e.ActorID != tch.id || e.ActorEmail == "" || e.IP != "127.0.0.1" || e.At.IsZero() || e.TargetID == "" {
				t.Errorf("%s: entry %+v", action, e)
			}
			if action != classroom.AuditAccountSignOutAll && (e.Before == "" || e.After == "" || e.Before == e.After) {
				t.Errorf("%s: before %q after %q", action, e.Before, e.After)
			}
		}

		// Search and export, admins only.
		want(t, tch.do("GET", "/api/v1/admin/audit", nil), http.StatusForbidden)
		want(t, tch.do("GET", "/api/v1/admin/audit.csv", nil), http.StatusForbidden)
		want(t, admin.do("GET", "/api/v1/admin/audit?since=yesterday", nil), http.StatusBadRequest)
		r := admin.do("GET", "/api/v1/admin/audit?action=account.roles", nil)
		want(t, r, http.StatusOK)
		var page struct {
			Entries []struct {
				Action   string `json:"action"`
				TargetID string `json:"target_id"`
				After    string `json:"after"`
			}
			Actions []string
		}
		r.decode(t, &page)
		if len(page.Entries) != 1 || page.Entries[0].TargetID != u1.id || !strings.Contains(page.Entries[0].After, "reviewer") {
			t.Fatalf("filtered log %+v", page.Entries)
		}
		if len(page.Actions) != len(classroom.AuditedActions()) {
			t.Fatalf("actions %v", page.Actions)
		}
		r = admin.do("GET", "/api/v1/admin/audit.csv", nil)
		want(t, r, http.StatusOK)
		rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// A header, one row per action, and the approval before the unpublish.
		if len(rows) != 1+len(classroom.AuditedActions())+1 || rows[0][4] != "action" {
			t.Fatalf("CSV has %d rows: %v", len(rows), rows[:1])
		}
		for _, row := range rows[1:] {
			for _, cell := range row {
				if strings.HasPrefix(cell, "=") {
					t.Errorf("formula cell in CSV: %q", cell)
				}
			}
		}
	})
}
