package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lectern/lectern/api"
)

func TestRegister(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		c := h.client()
		r := c.do("POST", "/api/v1/accounts", map[string]string{
			"email": "  Ada@Example.ORG ", "password": goodPassword, "display_name": "Ada", "language": "en-GB"})
		want(t, r, http.StatusCreated)
		var s signedIn
		r.decode(t, &s)
		if s.Account.Email != "ada@example.org" || s.Account.Language != "en-GB" ||
			strings.Join(s.Account.Roles, ",") != "student" || s.CSRFToken == "" || !s.Session.Current {
			t.Errorf("register answered %s", r.body)
		}
		ck := r.header.Get("Set-Cookie")
		for _, attr := range []string{api.CookieName + "=", "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(ck, attr) {
				t.Errorf("cookie %q lacks %s", ck, attr)
			}
		}
		if strings.Contains(ck, "Secure") {
			t.Errorf("cookie %q is Secure over plain HTTP", ck)
		}
		c.csrf = s.CSRFToken
		want(t, c.do("GET", "/api/v1/me", nil), http.StatusOK)
	})
}

func TestRegisterBadInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		h.register("taken@example.org", "First")
		big := `{"email":"big@example.org","password":"` + strings.Repeat("x", 70<<10) + `","display_name":"B"}`
		tests := []struct {
			name   string
			body   any
			ctype  string
			status int
			code   string
		}{
			{"duplicate email, other case", map[string]string{"email": "TAKEN@example.org", "password": goodPassword, "display_name": "Second"}, "", 409, "email_taken"},
			{"short password", map[string]string{"email": "a@example.org", "password": "short", "display_name": "A"}, "", 422, "weak_password"},
			{"repetitive password", map[string]string{"email": "a@example.org", "password": "aaaaaaaaaaaabbbb", "display_name": "A"}, "", 422, "weak_password"},
			{"password contains email", map[string]string{"email": "rosalind@example.org", "password": "rosalind-1234", "display_name": "R"}, "", 422, "weak_password"},
			{"empty password", map[string]string{"email": "a@example.org", "password": "", "display_name": "A"}, "", 422, "weak_password"},
			{"bad email", map[string]string{"email": "not an email", "password": goodPassword, "display_name": "A"}, "", 422, "invalid_input"},
			{"email with name", map[string]string{"email": "Ada <ada@example.org>", "password": goodPassword, "display_name": "A"}, "", 422, "invalid_input"},
			{"sql in email", map[string]string{"email": "x'; DROP TABLE accounts;--@example.org", "password": goodPassword, "display_name": "A"}, "", 422, "invalid_input"},
			{"no display name", map[string]string{"email": "a@example.org", "password": goodPassword, "display_name": "  "}, "", 422, "invalid_input"},
			{"control char in name", map[string]string{"email": "a@example.org", "password": goodPassword, "display_name": "A\x00B"}, "", 422, "invalid_input"},
			{"long name", map[string]string{"email": "a@example.org", "password": goodPassword, "display_name": strings.Repeat("n", 101)}, "", 422, "invalid_input"},
			{"bad language", map[string]string{"email": "a@example.org", "password": goodPassword, "display_name": "A", "language": "en'--"}, "", 422, "invalid_input"},
			{"truncated JSON", `{"email": "a@example.org"`, "", 400, "invalid_json"},
			{"not an object", `["a@example.org"]`, "", 400, "invalid_json"},
			{"wrong type", `{"email": 12}`, "", 400, "invalid_json"},
			{"unknown field", `{"email":"a@example.org","password":"` + goodPassword + `","display_name":"A","roles":["admin"]}`, "", 400, "invalid_json"},
			{"two objects", `{"email":"a@example.org"} {"email":"b@example.org"}`, "", 400, "invalid_json"},
			{"empty body", ``, "", 400, "invalid_json"},
			{"form content type", `email=a@example.org`, "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
			{"oversized body", big, "", 413, "body_too_large"},
		}
		before := h.accountCount()
		c := h.client()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var hdr []string
				if tt.ctype != "" {
					hdr = []string{"Content-Type", tt.ctype}
				}
				r := c.do("POST", "/api/v1/accounts", tt.body, hdr...)
				want(t, r, tt.status, tt.code)
				if r.header.Get("Set-Cookie") != "" {
					t.Error("a failed registration set a cookie")
				}
				var e struct{ Message string }
				r.decode(t, &e)
				if e.Message == "" {
					t.Error("error without a message")
				}
			})
		}
		if n := h.accountCount(); n != before {
			t.Errorf("bad registrations wrote %d accounts", n-before)
		}
	})
}

// TestAwkwardCharacters sends quotes and SQL syntax through every free-text
// field and expects them back verbatim.
func TestAwkwardCharacters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		nasty := []string{`O'Brien "Bobby" Tables`, `'); DROP TABLE accounts; --`, `100% \ _ ? $1 :x @y`, `李雷 🎓 <b>`}
		for i, n := range nasty {
			c := h.register(strings.ReplaceAll("o'b+"+string(rune('a'+i))+"@example.org", " ", ""), n)
			var me struct {
				DisplayName string `json:"display_name"`
			}
			c.do("GET", "/api/v1/me", nil).decode(t, &me)
			if me.DisplayName != n {
				t.Errorf("name %q came back as %q", n, me.DisplayName)
			}
			h.grant(c, "teacher")
			r := c.do("POST", "/api/v1/courses", map[string]string{"title": n, "summary": n, "description": n + "\n" + n})
			want(t, r, http.StatusCreated)
			var course courseJSON
			r.decode(t, &course)
			if course.Title != n || course.Summary != n || course.Description != n+"\n"+n {
				t.Errorf("course fields changed: %s", r.body)
			}
			l := c.lesson(course.ID, n, t0, 60)
			if l.Title != n {
				t.Errorf("lesson title %q came back as %q", n, l.Title)
			}
		}
		if n := h.accountCount(); n != len(nasty) {
			t.Errorf("%d accounts, want %d", n, len(nasty))
		}
	})
}

func TestProfile(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		c := h.register("p@example.org", "Pat")
		r := c.do("PATCH", "/api/v1/me", map[string]string{"display_name": " Patricia ", "language": "zh-Hans-CN"})
		want(t, r, http.StatusOK)
		var me struct {
			DisplayName string `json:"display_name"`
			Language    string `json:"language"`
		}
		c.do("GET", "/api/v1/me", nil).decode(t, &me)
		if me.DisplayName != "Patricia" || me.Language != "zh-Hans-CN" {
			t.Errorf("profile = %+v", me)
		}
		tests := []struct {
			name string
			body any
			code string
		}{
			{"empty name", map[string]string{"display_name": ""}, "invalid_input"},
			{"newline in name", map[string]string{"display_name": "a\nb"}, "invalid_input"},
			{"bad language", map[string]string{"language": "english please"}, "invalid_input"},
			{"unknown field", map[string]string{"email": "new@example.org"}, "invalid_json"},
		}
		for _, tt := range tests {
			r := c.do("PATCH", "/api/v1/me", tt.body)
			if r.status/100 != 4 || r.code() != tt.code {
				t.Errorf("%s: %d %s", tt.name, r.status, r.body)
			}
		}
		c.do("GET", "/api/v1/me", nil).decode(t, &me)
		if me.DisplayName != "Patricia" {
			t.Errorf("a rejected edit changed the profile: %+v", me)
		}
	})
}
