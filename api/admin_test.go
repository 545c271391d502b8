package api_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/lectern/lectern/classroom"
)

func TestAdminRoles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		acc, created, err := h.api.EnsureAdmin(ctx, "root@example.org", goodPassword, "Root")
		if err != nil || !created || !acc.Roles.Has(classroom.RoleAdmin) {
			t.Fatalf("EnsureAdmin = %+v, %v, %v", acc, created, err)
		}
		if _, created, err := h.api.EnsureAdmin(ctx, "ROOT@example.org", "", ""); err != nil || created {
			t.Errorf("second EnsureAdmin = %v, %v; want existing account", created, err)
		}
		if _, _, err := h.api.EnsureAdmin(ctx, "weak@example.org", "123", "W"); !errors.Is(err, classroom.ErrWeakPassword) {
			t.Errorf("EnsureAdmin with weak password: %v", err)
		}
		admin := h.signIn("root@example.org", goodPassword)
		user := h.register("user@example.org", "User")

		want(t, user.do("GET", "/api/v1/admin/accounts", nil), http.StatusForbidden)
		want(t, user.do("PUT", "/api/v1/admin/accounts/"+user.id+"/roles", map[string]any{"roles": []string{"admin"}}), http.StatusForbidden)
		var list struct{ Accounts []struct{ ID string } }
		admin.do("GET", "/api/v1/admin/accounts", nil).decode(t, &list)
		if len(list.Accounts) != 2 {
			t.Errorf("accounts: %+v", list.Accounts)
		}
		want(t, admin.do("PUT", "/api/v1/admin/accounts/"+user.id+"/roles", map[string]any{"roles": []string{"student", "wizard"}}),
			http.StatusUnprocessableEntity)
		want(t, admin.do("PUT", "/api/v1/admin/accounts/"+admin.id+"/roles", map[string]any{"roles": []string{"teacher"}}),
			http.StatusUnprocessableEntity)
		want(t, admin.do("PUT", "/api/v1/admin/accounts/00000000-0000-0000-0000-000000000000/roles", map[string]any{"roles": []string{"teacher"}}),
			http.StatusNotFound)
		want(t, admin.do("PUT", "/api/v1/admin/accounts/"+user.id+"/roles", map[string]any{"roles": []string{"student", "teacher"}}),
			http.StatusOK)
		user.course("Now I teach")
	})
}
