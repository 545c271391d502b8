package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
)

// verifyLink waits (bounded) for the verification mail to to, and returns
// its token.
func verifyLink(t *testing.T, h *harness, to string) (api.Message, string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range h.mail.sent() {
			if m.To != to || !strings.Contains(m.Body, "/verify-email?token=") {
				continue
			}
			i := strings.Index(m.Body, "http://lectern.test/verify-email?token=")
			if i < 0 {
				t.Fatalf("link not to the public URL: %q", m.Body)
			}
			line := strings.Fields(m.Body[i:])[0]
			u, err := url.Parse(line)
			if err != nil {
				t.Fatal(err)
			}
			return m, u.Query().Get("token")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no verification mail to %s", to)
	return api.Message{}, ""
}

// TestEmailVerification: sign-up mails a link in the chosen language;
// opening it (without a session) verifies the address, twice is fine;
// a tampered, foreign or expired token is refused; a resend sends a new
// link, and nothing once verified.
func TestEmailVerification(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	forEachBackend(t, func(t *testing.T, h *harness) {
		c := h.client()
		r := c.do("POST", "/api/v1/accounts", map[string]string{
			"email": "Mei@Example.org", "password": goodPassword, "display_name": "Mei", "language": "zh-CN"})
		want(t, r, http.StatusCreated)
		var s signedIn
		r.decode(t, &s)
		c.csrf, c.id = s.CSRFToken, s.Account.ID
		m, tok := verifyLink(t, h, "mei@example.org")
		if !strings.Contains(m.Subject, "验证") {
			t.Fatalf("subject %q, want Chinese", m.Subject)
		}
		var me struct {
			EmailVerified bool `json:"email_verified"`
		}
		c.do("GET", "/api/v1/me", nil).decode(t, &me)
		if me.EmailVerified {
			t.Fatal("verified before the link was opened")
		}

		anon := h.client()
		parts := strings.Split(tok, ".")
		other := h.register("other@example.org", "Other")
		for name, bad := range map[string]string{
			"tampered mac":    parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])),
			"later expiry":    parts[0] + "." + "99999999999" + "." + parts[2],
			"another account": other.id + "." + parts[1] + "." + parts[2],
			"garbage":         "not-a-token",
			"empty":           "",
		} {
			t.Run(name, func(t *testing.T) {
				want(t, anon.do("POST", "/api/v1/email-verifications/confirm", map[string]string{"token": bad}),
					http.StatusBadRequest, "invalid_token")
			})
		}
		for range 2 {
			want(t, anon.do("POST", "/api/v1/email-verifications/confirm", map[string]string{"token": tok}), http.StatusOK)
		}
		c.do("GET", "/api/v1/me", nil).decode(t, &me)
		if !me.EmailVerified {
			t.Fatal("not verified after the link")
		}
		want(t, c.do("POST", "/api/v1/me/email-verification", nil), http.StatusNoContent)

		// Resent, and an expired link refused.
		want(t, other.do("POST", "/api/v1/me/email-verification", nil), http.StatusAccepted)
		_, otherTok := verifyLink(t, h, "other@example.org")
		clock.set(time.Now().Add(8 * 24 * time.Hour))
		want(t, anon.do("POST", "/api/v1/email-verifications/confirm", map[string]string{"token": otherTok}),
			http.StatusBadRequest, "invalid_token")
		clock.set(time.Now())
	}, func(cfg *api.Config) { cfg.Now = clock.now })
}
