package publicurl

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestPublicURLFromHost(t *testing.T) {
	noProxy, _ := New("", nil)
	proxied, err := New("", []string{"10.0.0.0/8", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := New("https://school.example/base/", []string{"10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		r      *Resolver
		remote string
		host   string
		tls    bool
		xfh    string
		xfp    string
		want   string
	}{
		{"host header", noProxy, "203.0.113.5:4000", "school.example:8080", false, "", "", "http://school.example:8080"},
		{"tls", noProxy, "203.0.113.5:4000", "School.Example", true, "", "", "https://school.example"},
		{"forwarded from untrusted peer ignored", noProxy, "203.0.113.5:4000", "school.example", false, "evil.example", "https", "http://school.example"},
		{"forwarded from trusted proxy", proxied, "10.1.2.3:4000", "127.0.0.1:8080", false, "school.example", "https", "https://school.example"},
		{"single trusted address", proxied, "192.0.2.7:1", "internal:8080", false, "school.example, other", "https, http", "https://school.example"},
		{"outside trusted prefix", proxied, "192.0.2.8:1", "school.example", false, "evil.example", "https", "http://school.example"},
		{"bad forwarded host from trusted proxy", proxied, "10.1.2.3:4000", "school.example", false, "evil.example/path?", "ftp", "http://school.example"},
		{"ipv6 host", noProxy, "[::1]:5", "[::1]:8080", false, "", "", "http://[::1]:8080"},
		{"smuggled credentials", noProxy, "203.0.113.5:4000", "evil.example@school", false, "", "", "http://localhost"},
		{"fixed wins", fixed, "10.1.2.3:4000", "other.example", false, "evil.example", "http", "https://school.example/base"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			req.RemoteAddr, req.Host = c.remote, c.host
			if c.tls {
				req.TLS = &tls.ConnectionState{}
			}
			if c.xfh != "" {
				req.Header.Set("X-Forwarded-Host", c.xfh)
			}
			if c.xfp != "" {
				req.Header.Set("X-Forwarded-Proto", c.xfp)
			}
			if got := c.r.For(req); got != c.want {
				t.Fatalf("For = %q, want %q", got, c.want)
			}
			var seen string
			c.r.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = From(r.Context(), "fallback")
			})).ServeHTTP(httptest.NewRecorder(), req)
			if seen != c.want {
				t.Fatalf("From in handler = %q, want %q", seen, c.want)
			}
		})
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	for _, u := range []string{"school.example", "ftp://x", "https://", "https://x/?q=1"} {
		if _, err := New(u, nil); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
	for _, p := range []string{"10.0.0", "10.0.0.0/33", "host.example"} {
		if _, err := New("", []string{p}); err == nil {
			t.Errorf("proxy %q accepted", p)
		}
	}
	r, _ := New("", nil)
	if From(t.Context(), "fb") != "fb" {
		t.Fatal("From without a URL should return the fallback")
	}
	if r.TrustsPeer("10.0.0.1:1") {
		t.Fatal("no proxies configured, yet a peer is trusted")
	}
}
