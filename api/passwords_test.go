package api_test

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/internal/testlog"
	"github.com/lectern/lectern/store/storetest"
)

func TestChangePassword(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		c := h.register("cp@example.org", "C")
		other := h.signIn("cp@example.org", goodPassword)
		const next = "a much better passphrase"
		want(t, c.do("PUT", "/api/v1/me/password", map[string]string{"current_password": "wrong one!!", "new_password": next}),
			http.StatusForbidden, "wrong_password")
		want(t, c.do("PUT", "/api/v1/me/password", map[string]string{"current_password": goodPassword, "new_password": "weak"}),
			http.StatusUnprocessableEntity, "weak_password")
		want(t, other.do("GET", "/api/v1/me", nil), http.StatusOK) // nothing changed yet
		want(t, c.do("PUT", "/api/v1/me/password", map[string]string{"current_password": goodPassword, "new_password": next}),
			http.StatusNoContent)
		want(t, c.do("GET", "/api/v1/me", nil), http.StatusOK)
		want(t, other.do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
		want(t, h.client().do("POST", "/api/v1/sessions", map[string]string{"email": "cp@example.org", "password": goodPassword}),
			http.StatusUnauthorized)
		h.signIn("cp@example.org", next)
	})
}

// resetToken waits for the reset mail to addr and returns its token.
func (h *harness) resetToken(addr string) string {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range h.mail.resets() {
			if m.To != addr {
				continue
			}
			i := strings.Index(m.Body, "http://lectern.test/reset-password?token=")
			if i < 0 {
				h.t.Fatalf("reset mail without a link: %q", m.Body)
			}
			link := strings.Fields(m.Body[i:])[0]
			u, _ := url.Parse(link)
			return u.Query().Get("token")
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatalf("no reset mail to %s", addr)
	return ""
}

func TestPasswordReset(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		signedIn := h.register("forgot@example.org", "F")
		anon := h.client()
		want(t, anon.do("POST", "/api/v1/password-resets", map[string]string{"email": "nobody@example.org"}), http.StatusAccepted)
		want(t, anon.do("POST", "/api/v1/password-resets", map[string]string{"email": "not an email"}), http.StatusUnprocessableEntity)
		want(t, anon.do("POST", "/api/v1/password-resets", map[string]string{"email": "Forgot@example.org"}), http.StatusAccepted)
		tok := h.resetToken("forgot@example.org")
		h.api.Close() // all mail sent
		for _, m := range h.mail.sent() {
			if m.To == "nobody@example.org" {
				t.Error("mail sent for an unknown address")
			}
		}
		const next = "reset to something new"
		confirm := func(token, pw string) response {
			return anon.do("POST", "/api/v1/password-resets/confirm", map[string]string{"token": token, "new_password": pw})
		}
		id, secret, _ := strings.Cut(tok, ".")
		want(t, confirm("garbage", next), http.StatusBadRequest, "invalid_token")
		want(t, confirm(id+"."+strings.Repeat("x", len(secret)), next), http.StatusBadRequest, "invalid_token")
		want(t, confirm("00000000-0000-0000-0000-000000000000."+secret, next), http.StatusBadRequest, "invalid_token")
		want(t, confirm(tok, "weak"), http.StatusUnprocessableEntity, "weak_password")
		want(t, signedIn.do("GET", "/api/v1/me", nil), http.StatusOK) // still valid after failures
		want(t, confirm(tok, next), http.StatusNoContent)
		want(t, signedIn.do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
		want(t, confirm(tok, "yet another passphrase"), http.StatusGone, "token_used")
		h.signIn("forgot@example.org", next)
	})
}

func TestResetLinkLogged(t *testing.T) {
	// Without a Mailer the link goes to the log; the API answers the same.
	var logged testlog.Buffer
	h := newHarness(t, storetest.SQLite(t), func(cfg *api.Config) {
		cfg.Mailer = nil
		cfg.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	})
	h.register("log@example.org", "L")
	want(t, h.client().do("POST", "/api/v1/password-resets", map[string]string{"email": "log@example.org"}), http.StatusAccepted)
	h.api.Close() // waits for the background mail
	if out := logged.String(); !strings.Contains(out, "http://lectern.test/reset-password?token=") || !strings.Contains(out, "log@example.org") {
		t.Fatalf("the reset link was not logged:\n%s", out)
	}
}
