package webclient

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandler(t *testing.T) {
	h := Handler()
	tests := []struct {
		name, method, path string
		status             int
		ctype              string
		isIndex            bool
	}{
		{"root", "GET", "/", 200, "text/html; charset=utf-8", true},
		{"index file", "GET", "/index.html", 200, "text/html; charset=utf-8", true},
		{"lesson route", "GET", "/lesson/lesson-1?token=abc", 200, "text/html; charset=utf-8", true},
		{"course route", "GET", "/courses/c1", 200, "text/html; charset=utf-8", true},
		{"script", "GET", "/app.js", 200, "text/javascript; charset=utf-8", false},
		{"i18n", "GET", "/i18n.js", 200, "text/javascript; charset=utf-8", false},
		{"nested module", "GET", "/room/room.js", 200, "text/javascript; charset=utf-8", false},
		{"style", "GET", "/app.css", 200, "text/css; charset=utf-8", false},
		{"icon", "GET", "/favicon.svg", 200, "image/svg+xml", false},
		{"head", "HEAD", "/app.js", 200, "text/javascript; charset=utf-8", false},
		{"api is not the app", "GET", "/api/v1/nothing", 404, "", false},
		{"rtc", "GET", "/rtc", 404, "", false},
		{"whip", "GET", "/whip/lesson-1", 404, "", false},
		{"whep", "GET", "/whep/x", 404, "", false},
		{"healthz", "GET", "/healthz", 404, "", false},
		{"lookalike prefix is the app", "GET", "/rtcx", 200, "text/html; charset=utf-8", true},
		{"post", "POST", "/", 405, "", false},
	}
	index, err := fs.ReadFile(files, "static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, tc.method, tc.path, nil)
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d", rec.Code, tc.status)
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self' wss://example.com ws://example.com;") {
				t.Errorf("CSP = %q", csp)
			}
			if tc.status != 200 {
				return
			}
			if got := rec.Header().Get("Content-Type"); got != tc.ctype {
				t.Errorf("Content-Type = %q, want %q", got, tc.ctype)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control = %q", got)
			}
			if tc.method == "GET" && tc.isIndex != (rec.Body.String() == string(index)) {
				t.Errorf("served index.html = %v, want %v", !tc.isIndex, tc.isIndex)
			}
			if tc.method == "HEAD" && rec.Body.Len() != 0 {
				t.Errorf("HEAD has a body")
			}
		})
	}
}

func TestHandlerETag(t *testing.T) {
	h := Handler()
	first := get(t, h, "GET", "/app.css", nil)
	etag := first.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	again := get(t, h, "GET", "/app.css", map[string]string{"If-None-Match": etag})
	if again.Code != http.StatusNotModified {
		t.Fatalf("revalidation status = %d, want 304", again.Code)
	}
}

// TestNoInlineCode keeps the client compatible with its own CSP: no inline
// scripts, styles or event handlers in HTML, and no innerHTML anywhere.
func TestNoInlineCode(t *testing.T) {
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasPrefix(p, "static/vendor/") {
			return nil // pinned third-party files, unchanged (see each VERSION)
		}
		body, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		s := string(body)
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s contains %s", p, bad)
			}
		}
		if strings.HasSuffix(p, ".html") {
			for _, bad := range []string{"<style", " style=", " onclick=", " onload=", "<script>"} {
				if strings.Contains(s, bad) {
					t.Errorf("%s contains %s", p, bad)
				}
			}
		}
		s = strings.ReplaceAll(s, "http://www.w3.org/2000/svg", "") // a namespace, not a fetch
		if strings.Contains(s, "http://") || strings.Contains(s, "https://") {
			// Vendored libraries carry namespace URIs and licence links;
			// the CSP (connect-src 'self') keeps them from fetching.
			if !strings.HasSuffix(p, ".svg") && !strings.HasPrefix(p, "static/vendor/") {
				t.Errorf("%s refers to another origin", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCSPConnectsOnlyToThisServer: WebSocket connections are allowed to
// this server's host only, never to any host (was "ws: wss:"); a Host
// header that could smuggle directives adds nothing.
func TestCSPConnectsOnlyToThisServer(t *testing.T) {
	h := Handler()
	for host, want := range map[string]string{
		"school.example:8443":        "connect-src 'self' wss://school.example:8443 ws://school.example:8443;",
		"[::1]:8080":                 "connect-src 'self' wss://[::1]:8080 ws://[::1]:8080;",
		"evil; connect-src *":        "connect-src 'self';",
		"evil.example/ws: wss: ws:*": "connect-src 'self';",
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, want) {
			t.Errorf("Host %q: CSP %q lacks %q", host, csp, want)
		}
		if strings.Contains(csp, " ws: ") || strings.Contains(csp, " wss:;") || strings.Contains(csp, "*") {
			t.Errorf("Host %q: CSP allows any host: %q", host, csp)
		}
	}
}
