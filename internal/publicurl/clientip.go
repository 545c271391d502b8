package publicurl

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the address of the client behind req, for per-address
// limits, sessions and the audit log. It is the TCP peer's address unless
// the peer is a trusted proxy: then X-Forwarded-For is read from the right
// (the hop the proxy itself appended) and the first address that is not a
// trusted proxy is the client. Hops the client wrote itself, on the left,
// are never reached while a trusted proxy's append is there, so a client
// cannot choose its own address. When every hop is trusted, the left-most
// one is taken.
func (r *Resolver) ClientIP(req *http.Request) string {
	return ClientIP(req, r.trusts)
}

// ClientIP is Resolver.ClientIP with trusted deciding which addresses are
// proxies (for a caller that trusts every peer, as api's TrustProxy does).
func ClientIP(req *http.Request, trusted func(netip.Addr) bool) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !trusted(peer.Unmap()) {
		return host
	}
	hops := strings.Split(strings.Join(req.Header.Values("X-Forwarded-For"), ","), ",")
	client := peer.Unmap()
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a hop nobody trusted wrote: stop at the last good one
		}
		client = a.Unmap()
		if !trusted(client) {
			break
		}
	}
	return client.String()
}

// trusts reports whether a is a trusted proxy.
func (r *Resolver) trusts(a netip.Addr) bool {
	for _, p := range r.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
