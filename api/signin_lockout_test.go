package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
)

// TestSignInStrangersCannotLockOutTheOwner: five wrong passwords from five
// addresses exhaust the account's bucket for unknown browsers (strangers
// are slowed, with no oracle: even the right password gets 429 from them),
// but the owner's browser, known from an earlier sign-in, still signs in;
// a new browser of the owner's gets in after a password reset.
func TestSignInStrangersCannotLockOutTheOwner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		owner := h.register("owner@example.org", "Owner") // this browser is now known
		signIn := func(c *client, ip, password string) response {
			return c.do("POST", "/api/v1/sessions", map[string]string{"email": "owner@example.org", "password": password},
				"X-Forwarded-For", ip)
		}
		for i := range 5 {
			want(t, signIn(h.client(), "198.51.100."+string(rune('1'+i)), "a wrong guess"), http.StatusUnauthorized, "bad_credentials")
		}
		stranger := h.client()
		want(t, signIn(stranger, "198.51.100.9", "another guess"), http.StatusTooManyRequests, "rate_limited")
		want(t, signIn(stranger, "198.51.100.9", goodPassword), http.StatusTooManyRequests, "rate_limited")

		// The owner, from the browser they used before: in.
		want(t, signIn(owner, "203.0.113.7", goodPassword), http.StatusOK)
		// A forged or another account's device cookie does not help.
		other := h.register("other@example.org", "Other")
		want(t, signIn(other, "198.51.100.9", goodPassword), http.StatusTooManyRequests, "rate_limited")

		// The owner on a new browser: slowed like everyone, until the reset
		// link (proof of the mailbox) marks that browser as known.
		laptop := h.client()
		want(t, signIn(laptop, "203.0.113.8", goodPassword), http.StatusTooManyRequests, "rate_limited")
		want(t, laptop.do("POST", "/api/v1/password-resets", map[string]string{"email": "owner@example.org"}), http.StatusAccepted)
		const next = "a brand new passphrase"
		want(t, laptop.do("POST", "/api/v1/password-resets/confirm", map[string]string{"token": h.resetToken("owner@example.org"), "new_password": next}),
			http.StatusNoContent)
		want(t, signIn(laptop, "203.0.113.8", next), http.StatusOK)
	}, func(cfg *api.Config) {
		cfg.SignInPerAccount = api.RateLimit{Burst: 5, Every: time.Hour}
		cfg.TrustProxy = true
	})
}
