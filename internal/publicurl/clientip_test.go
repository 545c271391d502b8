package publicurl

import (
	"net/http"
	"net/netip"
	"testing"
)

// TestClientIP: X-Forwarded-For is believed only from a trusted proxy, and
// read from the right, so that what a client writes into it itself does
// not choose its address.
func TestClientIP(t *testing.T) {
	r, err := New("", []string{"10.0.0.0/8", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no proxy", "198.51.100.1:5000", nil, "198.51.100.1"},
		{"untrusted peer's header ignored", "198.51.100.1:5000", []string{"203.0.113.9"}, "198.51.100.1"},
		{"trusted proxy", "192.0.2.7:443", []string{"203.0.113.9"}, "203.0.113.9"},
		{"client's own hop on the left is skipped", "192.0.2.7:443", []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"},
		{"two trusted proxies", "10.1.2.3:80", []string{"1.2.3.4, 203.0.113.9, 192.0.2.7"}, "203.0.113.9"},
		{"several header lines", "10.1.2.3:80", []string{"1.2.3.4", "203.0.113.9"}, "203.0.113.9"},
		{"IPv6 client", "192.0.2.7:443", []string{"2001:db8::1"}, "2001:db8::1"},
		{"IPv4-mapped proxy", "[::ffff:192.0.2.7]:443", []string{"203.0.113.9"}, "203.0.113.9"},
		{"trusted proxy without header", "192.0.2.7:443", nil, "192.0.2.7"},
		{"garbage appended by the proxy", "192.0.2.7:443", []string{"203.0.113.9, not-an-ip"}, "192.0.2.7"},
		{"every hop trusted: the left-most", "10.1.2.3:80", []string{"10.9.9.9, 192.0.2.7"}, "10.9.9.9"},
		{"not host:port", "198.51.100.1", []string{"203.0.113.9"}, "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := &http.Request{RemoteAddr: tc.peer, Header: http.Header{}}
			for _, v := range tc.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := r.ClientIP(req); got != tc.want {
				t.Errorf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
	var none Resolver
	req := &http.Request{RemoteAddr: "192.0.2.7:443", Header: http.Header{"X-Forwarded-For": {"203.0.113.9"}}}
	if got := none.ClientIP(req); got != "192.0.2.7" {
		t.Errorf("a resolver that trusts no proxy believed X-Forwarded-For: %q", got)
	}
	if got := ClientIP(req, func(netip.Addr) bool { return true }); got != "203.0.113.9" {
		t.Errorf("trusting every peer: %q", got)
	}
}
