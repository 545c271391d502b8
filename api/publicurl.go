package api

import (
	"log/slog"
	"net/http"

	"github.com/lectern/lectern/internal/publicurl"
)

// newResolver builds the public-URL resolver from the configuration. A bad
// BaseURL or proxy list (which cmd/lectern refuses before it gets here)
// falls back to deriving links from each request, trusting no proxy.
func newResolver(cfg Config, log *slog.Logger) *publicurl.Resolver {
	r, err := publicurl.New(cfg.BaseURL, cfg.TrustedProxies)
	if err != nil {
		log.Warn("public URL configuration ignored", "err", err)
		r, _ = publicurl.New("", nil)
	}
	return r
}

// publicURL is the origin (and path prefix) links written for r must use:
// the one the application's middleware put in r's context, else r's own.
func (s *Server) publicURL(r *http.Request) string {
	return publicurl.From(r.Context(), s.urls.For(r))
}

// trustedPeer reports whether r's X-Forwarded-* headers are believed: every
// peer under the legacy TrustProxy, else only the listed proxies.
func (s *Server) trustedPeer(r *http.Request) bool {
	return s.trust || s.urls.TrustsPeer(r.RemoteAddr)
}
