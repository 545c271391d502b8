package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/notify"
)

// TestEmailBounces: an address whose mail bounced shows so on its
// owner's profile and in the admin's account view; asking for a new
// verification link clears the mark and sends the link, even to an
// address verified before.
func TestEmailBounces(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		c := h.register("li@example.org", "Li")
		admin := h.register("admin@example.org", "Admin")
		h.grant(admin, classroom.RoleAdmin)
		if err := h.st.SetEmailVerified(ctx, c.id, "li@example.org", time.Now()); err != nil {
			t.Fatal(err)
		}
		type view struct {
			Email         string `json:"email"`
			EmailVerified bool   `json:"email_verified"`
			EmailBounces  bool   `json:"email_bounces"`
			EmailBounce   string `json:"email_bounce"`
		}
		me := func() view {
			var v view
			r := c.do("GET", "/api/v1/me", nil)
			want(t, r, http.StatusOK)
			r.decode(t, &v)
			return v
		}
		if v := me(); v.EmailBounces {
			t.Fatalf("bounces before any mail: %+v", v)
		}
		// A receipt to the address is refused for good.
		now := time.Now().UTC()
		if err := h.st.EnqueueMail(ctx, notify.Mail{ID: "receipt", To: "li@example.org", Subject: "Receipt", Body: "b",
			CreatedAt: now, NextAttemptAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := h.st.MarkMailBounced(ctx, "receipt", "li@example.org", now, "550 5.1.1 no such user"); err != nil {
			t.Fatal(err)
		}
		if v := me(); !v.EmailBounces || v.EmailBounce != "550 5.1.1 no such user" {
			t.Fatalf("profile after a bounce: %+v", v)
		}
		r := admin.do("GET", "/api/v1/admin/accounts?q=li@", nil)
		want(t, r, http.StatusOK)
		var list struct{ Accounts []view }
		r.decode(t, &list)
		if len(list.Accounts) != 1 || !list.Accounts[0].EmailBounces {
			t.Fatalf("admin's view %+v", list.Accounts)
		}

		// A new verification: the mark is cleared and the link is sent,
		// although the address was verified before.
		want(t, c.do("POST", "/api/v1/me/email-verification", nil), http.StatusAccepted)
		if v := me(); v.EmailBounces {
			t.Fatalf("still bouncing after a new verification: %+v", v)
		}
		verifyLink(t, h, "li@example.org")
		due, err := h.st.DueMail(ctx, now.Add(time.Minute), 10)
		if err != nil || len(due) != 1 || due[0].ID != "receipt" {
			t.Fatalf("the kept receipt is not due again: %+v, %v", due, err)
		}
		// Verified and not bouncing: nothing to send.
		want(t, c.do("POST", "/api/v1/me/email-verification", nil), http.StatusNoContent)
	})
}
