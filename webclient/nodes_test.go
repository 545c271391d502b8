package webclient

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestWithNodesConnectSrc: on a cluster, pages may open the WebSockets of
// the other nodes (and only well-formed hosts are added).
func TestWithNodesConnectSrc(t *testing.T) {
	h := WithNodes(Handler(), func() []string { return []string{"127.0.0.1:9001", "node2.example:443", "bad host;", "self.example"} })
	req := httptest.NewRequest("GET", "/", nil)
	req.Host = "self.example"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"ws://127.0.0.1:9001", "wss://node2.example:443", "ws://self.example"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	if strings.Contains(csp, "bad host") {
		t.Errorf("CSP %q has a malformed host", csp)
	}
	rec = httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	if csp := rec.Header().Get("Content-Security-Policy"); strings.Contains(csp, "9001") {
		t.Errorf("a single node's CSP names other nodes: %q", csp)
	}
}
