package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/store/storetest"
)

func TestSignIn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		h.register("s@example.org", "Sam")
		c := h.client()
		want(t, c.do("POST", "/api/v1/sessions", map[string]string{"email": "s@example.org", "password": "wrong password!"}),
			http.StatusUnauthorized, "bad_credentials")
		want(t, c.do("POST", "/api/v1/sessions", map[string]string{"email": "nobody@example.org", "password": goodPassword}),
			http.StatusUnauthorized, "bad_credentials")
		want(t, c.do("POST", "/api/v1/sessions", map[string]string{"email": "'; --", "password": goodPassword}),
			http.StatusUnauthorized, "bad_credentials")
		want(t, c.do("POST", "/api/v1/sessions", `{"email":`), http.StatusBadRequest, "invalid_json")
		want(t, c.do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
		s := h.signIn("S@EXAMPLE.ORG", goodPassword)
		want(t, s.do("GET", "/api/v1/me", nil), http.StatusOK)
	})
}

func TestSignInRateLimits(t *testing.T) {
	t.Run("per account", func(t *testing.T) {
		forEachBackend(t, func(t *testing.T, h *harness) {
			h.register("victim@example.org", "V")
			c := h.client()
			for range 3 {
				want(t, c.do("POST", "/api/v1/sessions", map[string]string{"email": "victim@example.org", "password": "guess guess 1"}),
					http.StatusUnauthorized)
			}
			r := c.do("POST", "/api/v1/sessions", map[string]string{"email": "victim@example.org", "password": goodPassword})
			want(t, r, http.StatusTooManyRequests, "rate_limited")
			if r.header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}, func(cfg *api.Config) { cfg.SignInPerAccount = api.RateLimit{Burst: 3, Every: time.Hour} })
	})
	t.Run("per address", func(t *testing.T) {
		forEachBackend(t, func(t *testing.T, h *harness) {
			c := h.client()
			for i := range 5 {
				r := c.do("POST", "/api/v1/sessions", map[string]string{"email": "u" + string(rune('a'+i)) + "@example.org", "password": "x"})
				want(t, r, http.StatusUnauthorized)
			}
			want(t, c.do("POST", "/api/v1/sessions", map[string]string{"email": "other@example.org", "password": "x"}),
				http.StatusTooManyRequests, "rate_limited")
		}, func(cfg *api.Config) { cfg.SignInPerIP = api.RateLimit{Burst: 5, Every: time.Hour} })
	})
}

func TestSessions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		a := h.register("multi@example.org", "M")
		b := h.signIn("multi@example.org", goodPassword)

		var list struct {
			Sessions []struct {
				ID      string `json:"id"`
				Current bool   `json:"current"`
				IP      string `json:"ip"`
			} `json:"sessions"`
		}
		r := a.do("GET", "/api/v1/sessions", nil)
		want(t, r, http.StatusOK)
		r.decode(t, &list)
		if len(list.Sessions) != 2 {
			t.Fatalf("sessions: %s", r.body)
		}
		var other string
		for _, s := range list.Sessions {
			if !s.Current {
				other = s.ID
			}
			if s.IP != "127.0.0.1" {
				t.Errorf("session IP %q", s.IP)
			}
		}
		// Someone else cannot revoke it.
		eve := h.register("eve@example.org", "Eve")
		want(t, eve.do("DELETE", "/api/v1/sessions/"+other, nil), http.StatusNotFound)
		// Its owner can; the other browser is then signed out.
		want(t, a.do("DELETE", "/api/v1/sessions/"+other, nil), http.StatusNoContent)
		want(t, b.do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")

		var cur signedIn
		a.do("GET", "/api/v1/session", nil).decode(t, &cur)
		if cur.CSRFToken != a.csrf {
			t.Error("GET /session returned another CSRF token")
		}
		r = a.do("DELETE", "/api/v1/session", nil)
		want(t, r, http.StatusNoContent)
		if !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("sign-out did not clear the cookie: %q", r.header.Get("Set-Cookie"))
		}
		want(t, a.do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
	})
}

func TestCSRF(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		c := h.register("csrf@example.org", "C")
		good := c.csrf
		patch := map[string]string{"display_name": "Changed"}
		c.csrf = ""
		want(t, c.do("PATCH", "/api/v1/me", patch), http.StatusForbidden, "csrf")
		last := "A"
		if strings.HasSuffix(good, "A") {
			last = "B" // a changed token, whatever the original ends with
		}
		c.csrf = good[:len(good)-1] + last
		want(t, c.do("PATCH", "/api/v1/me", patch), http.StatusForbidden, "csrf")
		c.csrf = good
		want(t, c.do("PATCH", "/api/v1/me", patch, "Sec-Fetch-Site", "cross-site"), http.StatusForbidden, "cross_origin")
		want(t, c.do("PATCH", "/api/v1/me", patch, "Origin", "https://evil.example"), http.StatusForbidden, "cross_origin")
		// Safe methods need no token.
		c.csrf = ""
		want(t, c.do("GET", "/api/v1/me", nil), http.StatusOK)
		c.csrf = good
		r := c.do("PATCH", "/api/v1/me", patch, "Origin", "http://lectern.test")
		want(t, r, http.StatusOK)
	})
}

func TestBadCookie(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		for _, v := range []string{"garbage", "00000000-0000-0000-0000-000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "'; DROP TABLE sessions;--"} {
			c := h.client()
			r := c.do("GET", "/api/v1/me", nil, "Cookie", api.CookieName+"="+v)
			want(t, r, http.StatusUnauthorized, "unauthenticated")
		}
		// A real session ID with a forged secret.
		c := h.register("forge@example.org", "F")
		var cur signedIn
		c.do("GET", "/api/v1/session", nil).decode(t, &cur)
		forged := h.client()
		want(t, forged.do("GET", "/api/v1/me", nil, "Cookie", api.CookieName+"="+cur.Session.ID+"."+strings.Repeat("A", 43)),
			http.StatusUnauthorized)
		// Anonymous-friendly endpoints ignore a stale cookie.
		want(t, forged.do("GET", "/api/v1/courses", nil, "Cookie", api.CookieName+"=stale"), http.StatusOK)
	})
}

func TestSecureCookieUnderHTTPS(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t), func(cfg *api.Config) { cfg.BaseURL = "https://school.example" })
	r := h.client().do("POST", "/api/v1/accounts", map[string]string{
		"email": "sec@example.org", "password": goodPassword, "display_name": "S"})
	want(t, r, http.StatusCreated)
	if !strings.Contains(r.header.Get("Set-Cookie"), "Secure") {
		t.Errorf("cookie not Secure under an https BaseURL: %q", r.header.Get("Set-Cookie"))
	}
}

func TestUnknownEndpoint(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
	want(t, h.client().do("GET", "/api/v1/nope", nil), http.StatusNotFound, "not_found")
}
