package api_test

import (
	"net/http"
	"testing"
)

// TestDisplayNamesNormalised: names taken at registration and profile
// edits lose bidi overrides and invisible characters, and a name made of
// nothing else is refused.
func TestDisplayNamesNormalised(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		c := h.client()
		r := c.do("POST", "/api/v1/accounts", map[string]string{"email": "n@example.org", "password": goodPassword,
			"display_name": "\u202Enimda\u200B Te\u2066a\u2069cher "})
		want(t, r, http.StatusCreated)
		var s signedIn
		r.decode(t, &s)
		if s.Account.DisplayName != "nimda Teacher" {
			t.Fatalf("registered as %q", s.Account.DisplayName)
		}
		c.csrf = s.CSRFToken
		want(t, c.do("PATCH", "/api/v1/me", map[string]string{"display_name": "\u200B\u202E"}), http.StatusUnprocessableEntity, "invalid_input")
		r = c.do("PATCH", "/api/v1/me", map[string]string{"display_name": "Jose\u0301\uFEFF"})
		want(t, r, http.StatusOK)
		var me struct {
			DisplayName string `json:"display_name"`
		}
		r.decode(t, &me)
		if me.DisplayName != "Jos\u00E9" {
			t.Fatalf("profile name %q", me.DisplayName)
		}
	})
}
