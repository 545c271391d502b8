package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEmailChange: an account moves to another address with its current
// password: the new address starts unverified and gets a link, the old
// one is told in the same transaction, and signing in takes the new
// address; a wrong password, a taken, invalid or unchanged address is
// refused and changes nothing. A bouncing address is left behind.
func TestEmailChange(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		c := h.register("old@example.org", "Mover")
		h.register("taken@example.org", "Other")
		if err := h.st.SetEmailVerified(ctx, c.id, "old@example.org", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := h.st.MarkMailBounced(ctx, "none", "old@example.org", time.Now(), "550 gone"); err != nil {
			t.Fatal(err)
		}
		change := func(email, password string) response {
			return c.do("PUT", "/api/v1/me/email", map[string]string{"email": email, "current_password": password})
		}
		want(t, change("new@example.org", "wrong password, surely"), http.StatusForbidden, "wrong_password")
		want(t, change("Taken@Example.org", goodPassword), http.StatusConflict, "email_taken")
		want(t, change("not an address", goodPassword), http.StatusUnprocessableEntity, "invalid_input")
		want(t, change("OLD@example.org", goodPassword), http.StatusUnprocessableEntity, "invalid_input")
		if acc, _ := h.st.Account(ctx, c.id); acc.Email != "old@example.org" || !acc.EmailVerified() {
			t.Fatalf("a refused change changed %+v", acc)
		}

		r := change(" New@Example.org ", goodPassword)
		want(t, r, http.StatusOK)
		var v struct {
			Email         string `json:"email"`
			EmailVerified bool   `json:"email_verified"`
			EmailBounces  bool   `json:"email_bounces"`
		}
		r.decode(t, &v)
		if v.Email != "new@example.org" || v.EmailVerified || v.EmailBounces {
			t.Fatalf("after the change %+v", v)
		}
		verifyLink(t, h, "new@example.org")
		old, err := h.st.MailTo(ctx, "old@example.org", 10)
		if err != nil {
			t.Fatal(err)
		}
		told := false
		for _, m := range old {
			told = told || (strings.Contains(m.Subject, "changed") && strings.Contains(m.Body, "new@example.org"))
		}
		if !told {
			t.Fatalf("the old address was not told: %+v", old)
		}
		h.signIn("new@example.org", goodPassword)
		want(t, h.client().do("POST", "/api/v1/sessions", map[string]string{"email": "old@example.org", "password": goodPassword}),
			http.StatusUnauthorized)
	})
}
