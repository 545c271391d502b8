package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestDisplayNamesNormalised: names with bidi overrides or invisible
// characters are refused at registration and in profile edits (precisely,
// nothing stored); spaces are collapsed and names put in NFC.
func TestDisplayNamesNormalised(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		c := h.client()
		r := c.do("POST", "/api/v1/accounts", map[string]string{"email": "n@example.org", "password": goodPassword,
			"display_name": "\u202Enimda\u200B"})
		want(t, r, http.StatusUnprocessableEntity, "invalid_input")
		if !strings.Contains(string(r.body), "invisible or direction-changing") {
			t.Errorf("refusal: %s", r.body)
		}
		r = c.do("POST", "/api/v1/accounts", map[string]string{"email": "n@example.org", "password": goodPassword,
			"display_name": " Ada   Lovelace "})
		want(t, r, http.StatusCreated)
		var s signedIn
		r.decode(t, &s)
		if s.Account.DisplayName != "Ada Lovelace" {
			t.Fatalf("registered as %q", s.Account.DisplayName)
		}
		c.csrf = s.CSRFToken
		want(t, c.do("PATCH", "/api/v1/me", map[string]string{"display_name": "Ada\u2067 Admin"}), http.StatusUnprocessableEntity, "invalid_input")
		r = c.do("PATCH", "/api/v1/me", map[string]string{"display_name": "Jose\u0301"})
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
