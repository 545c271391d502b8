package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/store/storetest"
)

// TestPublicURLFromHost: without a configured public URL the reset link in
// the mail follows the Host the request came to; X-Forwarded-Host/Proto
// count only from a trusted proxy.
func TestPublicURLFromHost(t *testing.T) {
	cases := []struct {
		name    string
		proxies []string
		host    string
		fwdHost string
		want    string
	}{
		{"host header", nil, "school.example:8443", "", "http://school.example:8443/reset-password?token="},
		{"forwarded headers from an untrusted peer", nil, "school.example", "evil.example", "http://school.example/reset-password?token="},
		{"trusted proxy", []string{"127.0.0.0/8"}, "127.0.0.1:9", "school.example", "https://school.example/reset-password?token="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, storetest.SQLite(t), func(cfg *api.Config) {
				cfg.BaseURL, cfg.TrustedProxies = "", c.proxies
			})
			h.register("host@example.org", "Host")
			req, err := http.NewRequest("POST", h.srv.URL+"/api/v1/password-resets",
				strings.NewReader(`{"email":"host@example.org"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = c.host
			req.Header.Set("Content-Type", "application/json")
			if c.fwdHost != "" {
				req.Header.Set("X-Forwarded-Host", c.fwdHost)
				req.Header.Set("X-Forwarded-Proto", "https")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("status %d", resp.StatusCode)
			}
			deadline := time.Now().Add(5 * time.Second)
			for time.Now().Before(deadline) {
				for _, m := range h.mail.resets() {
					if !strings.Contains(m.Body, c.want) {
						t.Fatalf("reset mail does not link to %q:\n%s", c.want, m.Body)
					}
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Fatal("no reset mail")
		})
	}
}

// TestResetMailLanguage: the reset mail is in the recipient's language.
func TestResetMailLanguage(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
	c := h.register("zh@example.org", "Zh")
	want(t, c.do("PATCH", "/api/v1/me", map[string]string{"language": "zh-CN"}), http.StatusOK)
	want(t, h.client().do("POST", "/api/v1/password-resets", map[string]string{"email": "zh@example.org"}), http.StatusAccepted)
	h.resetToken("zh@example.org")
	for _, m := range h.mail.resets() {
		if m.Subject != "重置你的 Lectern 密码" || !strings.Contains(m.Body, "一小时内") {
			t.Fatalf("mail %q / %q", m.Subject, m.Body)
		}
	}
}
