package publicurl

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// Resolver derives the public URL of a request. The zero value derives it
// from the request alone and trusts no proxy.
type Resolver struct {
	fixed   string         // from --public-url, without a trailing slash; "" derives
	proxies []netip.Prefix // peers whose X-Forwarded-* headers are believed
}

// New returns a Resolver. fixed, when not empty, must be an absolute http or
// https URL and wins over every request. proxies are IP addresses or CIDR
// prefixes of trusted reverse proxies.
func New(fixed string, proxies []string) (*Resolver, error) {
	r := &Resolver{}
	if fixed != "" {
		u, err := url.Parse(fixed)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("public URL %q: want http(s)://host[:port][/path]", fixed)
		}
		r.fixed = strings.TrimRight(u.String(), "/")
	}
	for _, p := range proxies {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			a, err := netip.ParseAddr(p)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR prefix", p)
			}
			r.proxies = append(r.proxies, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pf, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %v", p, err)
		}
		r.proxies = append(r.proxies, pf.Masked())
	}
	return r, nil
}

// Fixed returns the configured public URL, "" when it is derived.
func (r *Resolver) Fixed() string { return r.fixed }

// TrustsPeer reports whether remoteAddr (host:port, as in
// http.Request.RemoteAddr) is a trusted proxy.
func (r *Resolver) TrustsPeer(remoteAddr string) bool {
	if len(r.proxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	return err == nil && r.trusts(a.Unmap())
}

// For returns req's public URL (scheme://host[:port][/path], no trailing
// slash).
func (r *Resolver) For(req *http.Request) string {
	if r.fixed != "" {
		return r.fixed
	}
	scheme, host := "http", req.Host
	if req.TLS != nil {
		scheme = "https"
	}
	if r.TrustsPeer(req.RemoteAddr) {
		if p := first(req.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		if h := first(req.Header.Get("X-Forwarded-Host")); validHost(h) {
			host = h
		}
	}
	if !validHost(host) {
		host = "localhost"
	}
	return scheme + "://" + strings.ToLower(host)
}

// first is the first value of a comma-separated header (the client-most
// hop), trimmed.
func first(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}

// validHost accepts host or host:port made of a DNS name, an IPv4 address
// or a bracketed IPv6 address, and nothing that could smuggle a path,
// credentials or another URL into a link.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	name, port := h, ""
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		if _, err := netip.ParseAddr(h[1:end]); err != nil {
			return false
		}
		name, port = "", h[end+1:]
		if port != "" && !strings.HasPrefix(port, ":") {
			return false
		}
		port = strings.TrimPrefix(port, ":")
	} else if i := strings.LastIndexByte(h, ':'); i >= 0 {
		name, port = h[:i], h[i+1:]
		if port == "" {
			return false
		}
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
	}
	if len(port) > 5 {
		return false
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-':
		default:
			return false
		}
	}
	return true
}

type ctxKey struct{}

// With returns ctx carrying the public URL u.
func With(ctx context.Context, u string) context.Context {
	return context.WithValue(ctx, ctxKey{}, u)
}

// From returns the public URL ctx carries, or fallback when it carries
// none.
func From(ctx context.Context, fallback string) string {
	if u, ok := ctx.Value(ctxKey{}).(string); ok && u != "" {
		return u
	}
	return fallback
}

// Middleware puts each request's public URL in its context for handlers
// and the code they call (From).
func (r *Resolver) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		next.ServeHTTP(w, req.WithContext(With(req.Context(), r.For(req))))
	})
}
